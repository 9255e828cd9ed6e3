package io.rill.skipgram;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import io.rill.learn.Learner;
import io.rill.learn.Spawner;
import io.rill.learn.StreamLearner;
import io.rill.learn.WordVectors;
import io.rill.skipgram.SkipGramMetrics;
import io.rill.ps.RowBlocks;
import io.rill.ps.ServerDesign;
import io.rill.ps.ParameterServer;
import io.rill.ps.Placement;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * One skip-gram model of a node, assembled: one vocabulary actor, the parameter-server shards and the workers. It
 * gives each word stream its {@link SkipGramStreamActor} and takes consistent snapshots of the embeddings for queries
 * and export. Not an actor itself: it only wires actors and asks them.
 */
public final class SkipGramLearner implements Learner, WordVectors {

    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);
    /** A stream's wait for the vocabulary or a worker; below the ingest ask timeout, so the stream learns why. */
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(20);

    private final String name;
    private final SkipGramSettings settings;
    private final ActorSystem<?> system;
    private final ActorRef<VocabularyActor.Command> vocabulary;
    private final List<ActorRef<ParameterServer.Command>> shards;
    private final List<ActorRef<SkipGramWorker.Command>> workers;
    private final SkipGramMetrics metrics;

    /**
     * A learner whose vocabulary and shards are placed by {@code placement}, each starting from its restored state
     * when there is one. Fails, saying why, when a restored state does not fit the configuration (another shard
     * count, dimension or seed): silently starting afresh would leave the rows out of step with the vocabulary.
     */
    public SkipGramLearner(String name, SkipGramSettings settings, ActorSystem<?> system, Spawner spawner,
                           Placement placement, SkipGramMetrics metrics) {
        this.name = name;
        this.settings = settings;
        this.system = system;
        this.metrics = metrics;
        this.vocabulary = placement.place(VocabularyActor.KIND, List.of(name), (id, restored, sink) ->
                VocabularyActor.create(restored == null ? new VocabularyState(settings)
                        : SkipGramLearner.<VocabularyState>read(restored,
                                in -> VocabularyState.readFrom(in, settings)), metrics, sink)).get(name);
        List<String> shardIds = IntStream.range(0, settings.shards()).mapToObj(shard -> name + "-" + shard).toList();
        Map<String, ActorRef<ParameterServer.Command>> placed = placement.place(SHARD_KIND, shardIds,
                (id, restored, sink) -> ParameterServer.create(id,
                        shardDesign(settings, Integer.parseInt(id.substring(id.lastIndexOf('-') + 1))), restored, sink,
                        metrics));
        List<ActorRef<ParameterServer.Command>> shards = shardIds.stream().map(placed::get).toList();
        this.shards = List.copyOf(shards);
        ActorRef<VocabularyActor.Command> vocabularyRef = this.vocabulary;
        metrics.setLearningRateWith(rate -> vocabularyRef.tell(new VocabularyActor.SetLearningRate((float) rate)));
        List<ActorRef<SkipGramWorker.Command>> workers = new ArrayList<>();
        for (int w = 0; w < settings.workers(); w++) {
            workers.add(spawner.spawn(Behaviors.supervise(
                            SkipGramWorker.create(this.shards, settings, settings.seed() * 31 + w, metrics))
                            .onFailure(SupervisorStrategy.restart()),
                    "skipgram-" + name + "-worker-" + w, DispatcherSelector.fromConfig(SkipGramSettings.WORKER_DISPATCHER)));
        }
        this.workers = List.copyOf(workers);
    }

    /** The parameter servers of skip-gram models: one shard of a model's word embeddings each. */
    public static final Placement.Kind<ParameterServer.Command> SHARD_KIND = ParameterServer.kind("skipgram-shard");

    /** The row blocks of a shard: input and output rows. */
    public static final int INPUT = 0;
    public static final int OUTPUT = 1;

    /**
     * Shard {@code index}'s design: the input and output rows of its ids, updated by the workers' row deltas (plain
     * SGD, computed by the workers). A new input row starts uniform in ±0.5/dim, seeded by its id (as word2vec), so a
     * row's start does not depend on when it was first asked for; an output row at 0.
     */
    static ServerDesign shardDesign(SkipGramSettings settings, int index) {
        long seed = settings.seed();
        RowBlocks.RowInit input = (id, rows, offset, dim) -> SgnsKernel.initInputRow(rows, offset / dim, dim,
                new SplitMix64(seed ^ (0x9E3779B97F4A7C15L * (id + 1L))));
        return ServerDesign.rows(() -> new RowBlocks(settings.dimension(), settings.shards(), index,
                List.of(new RowBlocks.Block("input", input), new RowBlocks.Block("output", RowBlocks.ZEROS))),
                settings.maxStaleness());
    }

    @Override
    public String name() {
        return name;
    }

    /** A reader of one state section. */
    private interface StateReader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static <T> T read(byte[] bytes, StateReader<T> reader) {
        try {
            return reader.read(new DataInputStream(new BufferedInputStream(new ByteArrayInputStream(bytes), 1 << 16)));
        } catch (IOException e) {
            throw new IllegalStateException("the checkpoint's skip-gram state does not fit this configuration: "
                    + e.getMessage() + " (restore the settings it was written with, or move the checkpoint aside)", e);
        }
    }

    @Override
    public Map<String, Supplier<CompletionStage<byte[]>>> checkpointParts(Duration timeout) {
        Map<String, Supplier<CompletionStage<byte[]>>> parts = new LinkedHashMap<>();
        parts.put(VocabularyActor.KIND.section(name), () -> AskPattern.<VocabularyActor.Command, VocabularyActor.ExportedState>ask(
                vocabulary, VocabularyActor.ExportState::new, timeout, system.scheduler())
                .thenApply(VocabularyActor.ExportedState::bytes));
        for (int s = 0; s < shards.size(); s++) {
            ActorRef<ParameterServer.Command> shard = shards.get(s);
            parts.put(SHARD_KIND.section(name + "-" + s), () -> AskPattern.<ParameterServer.Command, ParameterServer.ExportedState>ask(
                    shard, ParameterServer.ExportState::new, timeout, system.scheduler())
                    .thenApply(ParameterServer.ExportedState::bytes));
        }
        return parts;
    }

    /** What a word stream feeds: the vocabulary, a worker chosen by partition, its own window seed. */
    public SkipGramStreamActor.Link linkFor(String topic, int partition) {
        long seed = settings.seed() ^ (topic.hashCode() * 0x9E3779B97F4A7C15L) ^ (partition * 0xC2B2AE3D27D4EB4FL);
        return new SkipGramStreamActor.Link(vocabulary, workers.get(Math.floorMod(partition, workers.size())),
                settings.window(), seed, settings.documentPerLine(), STEP_TIMEOUT);
    }

    @Override
    public Behavior<StreamLearner.Command> streamLearner(String topic, int partition, byte[] restored) {
        return SkipGramStreamActor.create(topic + "-" + partition, linkFor(topic, partition), restored);
    }

    /**
     * The trainable words and their input vectors. Each shard copies its rows at one version; the vocabulary is
     * read first, so every word in the snapshot has its row.
     */
    public CompletionStage<Embeddings> snapshot() {
        return AskPattern.<VocabularyActor.Command, VocabularyActor.Words>ask(vocabulary,
                        VocabularyActor.GetWords::new, ASK_TIMEOUT, system.scheduler())
                .thenCompose(words -> {
                    int limit = words.words().length;
                    List<CompletableFuture<ParameterServer.Rows>> rows = new ArrayList<>();
                    for (ActorRef<ParameterServer.Command> shard : shards) {
                        rows.add(AskPattern.<ParameterServer.Command, ParameterServer.Rows>ask(shard,
                                replyTo -> new ParameterServer.RowsBelow(INPUT, limit, replyTo), ASK_TIMEOUT,
                                system.scheduler()).toCompletableFuture());
                    }
                    return CompletableFuture.allOf(rows.toArray(CompletableFuture[]::new))
                            .thenApply(done -> assemble(words, rows.stream().map(CompletableFuture::join).toList()));
                });
    }

    @Override
    public CompletionStage<Vectors> wordVectors() {
        return snapshot().thenApply(e -> new Vectors(e.words(), e.vectors(), e.dim(), e.version()));
    }

    /** Words and their vectors, row-major; {@code version} is the sum of the shards' versions. */
    public record Embeddings(String[] words, float[] vectors, int dim, long version, long tokensSeen) {
    }

    /**
     * Most frequent words first, as word2vec and gensim write their files: evaluations that restrict themselves to
     * the first N words of a file (gensim's {@code restrict_vocab}) then see the N most frequent.
     */
    private Embeddings assemble(VocabularyActor.Words words, List<ParameterServer.Rows> shardRows) {
        int dim = settings.dimension();
        int s = shards.size();
        long version = 0;
        for (ParameterServer.Rows rows : shardRows) {
            version += rows.version();
        }
        List<Integer> ids = new ArrayList<>();
        for (int id = 0; id < words.words().length; id++) {
            if (words.words()[id] == null) {
                continue;
            }
            float[] shard = shardRows.get(id % s).rows().get(0);
            int offset = (id / s) * dim;
            if (offset + dim <= shard.length && !isZero(shard, offset, dim)) {
                ids.add(id); // trainable and trained: a vector to speak of
            }
        }
        ids.sort((a, b) -> Long.compare(words.counts()[b], words.counts()[a]));
        String[] kept = new String[ids.size()];
        float[] vectors = new float[ids.size() * dim];
        for (int i = 0; i < ids.size(); i++) {
            int id = ids.get(i);
            kept[i] = words.words()[id];
            System.arraycopy(shardRows.get(id % s).rows().get(0), (id / s) * dim, vectors, i * dim, dim);
        }
        return new Embeddings(kept, vectors, dim, version, words.tokensSeen());
    }

    private static boolean isZero(float[] v, int offset, int dim) {
        for (int i = offset; i < offset + dim; i++) {
            if (v[i] != 0f) {
                return false;
            }
        }
        return true;
    }

    public SkipGramMetrics metrics() {
        return metrics;
    }

    public SkipGramSettings settings() {
        return settings;
    }
}
