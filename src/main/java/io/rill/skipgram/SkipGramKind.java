package io.rill.skipgram;

import io.rill.learn.Learner;
import io.rill.learn.LearnerContext;
import io.rill.learn.LearnerKind;
import io.rill.learn.ModelSpec;
import io.rill.ops.Jmx;
import io.rill.text.TokenizerKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Word embeddings learned online by skip-gram with negative sampling, from topics tokenized into words: a model of
 * kind {@code skip-gram} in {@code rill.models}, with the defaults of {@code rill.skipgram}. Its JMX bean is
 * {@code rill:type=SkipGram,model=<name>}, which also answers the embedding queries.
 */
public final class SkipGramKind implements LearnerKind {

    public static final String NAME = "skip-gram";

    private static final Logger log = LoggerFactory.getLogger(SkipGramKind.class);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String defaultsPath() {
        return "rill.skipgram";
    }

    @Override
    public TokenizerKind tokenizer() {
        return TokenizerKind.WORDS;
    }

    @Override
    public Learner start(ModelSpec spec, LearnerContext context) {
        SkipGramMetrics metrics = new SkipGramMetrics();
        context.jmx().register(metrics, SkipGramMBean.class, Jmx.name("type=SkipGram,model=" + spec.name()));
        SkipGramLearner learner = new SkipGramLearner(spec.name(), SkipGramSettings.of(spec.config()),
                context.system(), context.spawner(), context.placement(), metrics);
        metrics.answerQueriesWith(new SkipGramQueries(learner));
        log.info("skip-gram {}: kernel row loops on {}", spec.name(), KernelRows.describe());
        return learner;
    }
}
