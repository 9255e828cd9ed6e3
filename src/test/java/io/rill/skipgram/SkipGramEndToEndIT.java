package io.rill.skipgram;

import io.rill.kafka.PartitionOffsets;
import io.rill.node.RillNode;
import io.rill.node.RillSettings;
import io.rill.skipgram.SkipGramMetrics;
import io.rill.testing.KafkaBrokerExtension;
import io.rill.testing.TestKafka;
import io.rill.testing.TestNodes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Skip-gram end to end over a real broker: a synthetic corpus with planted structure (each document mixes the words
 * of one group, which therefore always co-occur, with words drawn from a common pool) goes through Kafka, the stream
 * actors, the vocabulary, the workers and the parameter server. Afterwards the nearest neighbours of a group word
 * must be mostly its own group: a random model puts them there with probability 3/(3 + pool), about 3%.
 */
@ExtendWith(KafkaBrokerExtension.class)
class SkipGramEndToEndIT {

    private static final int GROUPS = 12;
    private static final int GROUP_SIZE = 4;
    private static final int POOL = 80;

    @Test
    void plantedCoOccurrencesBecomeNearestNeighbours(TestKafka kafka) throws Exception {
        TestNodes.Topics topics = TestNodes.topics("sgns");
        TestNodes.createTopics(kafka, topics);
        RillSettings settings = TestNodes.settings(kafka, topics, Map.of(
                "rill.skipgram.dimension", 24,
                "rill.skipgram.window", 3,
                "rill.skipgram.sample", 1.0, // a corpus this small has no frequent words to thin out
                "rill.skipgram.learning-rate.decay-tokens", 2_000_000));
        Random random = new Random(11);
        int documents = 0;
        try (KafkaProducer<byte[], byte[]> producer = TestNodes.producer(kafka)) {
            for (int pass = 0; pass < 6; pass++) {
                StringBuilder record = new StringBuilder();
                for (int d = 0; d < 2400; d++) {
                    record.append(document(random)).append('\n');
                    if (d % 8 == 7) {
                        producer.send(new ProducerRecord<>(topics.corpus(), record.toString().getBytes(StandardCharsets.UTF_8)));
                        record.setLength(0);
                    }
                    documents++;
                }
            }
            producer.flush();
        }
        try (RillNode node = RillNode.start(settings)) {
            SkipGramLearner learner = node.models(SkipGramLearner.class).values().iterator().next();
            try (Admin admin = Admin.create(settings.clientProperties(kafka.bootstrapServers()))) {
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                        assertThat(PartitionOffsets.read(admin, settings.groupId(), List.of(topics.corpus()), 10_000))
                                .allSatisfy(p -> assertThat(p.lag()).isZero()));
            }
            SkipGramMetrics metrics = learner.metrics();
            assertThat(metrics.getTokensSeen()).isGreaterThan(documents * 10L);
            assertThat(metrics.getTrainableWords()).isEqualTo(GROUPS * GROUP_SIZE + POOL);
            assertThat(metrics.getPairsTrained()).isPositive();
            assertThat(metrics.getParameterServerVersion()).isPositive();
            assertThat(metrics.getStalenessP99()).isBetween(0L, (long) learner.settings().maxStaleness());

            SkipGramLearner.Embeddings embeddings = learner.snapshot().toCompletableFuture().get();
            // Most frequent first, as word2vec files are: a group word (1/8 of a document) outnumbers a pool word (1/160).
            assertThat(List.of(embeddings.words()).subList(0, GROUPS * GROUP_SIZE)).allMatch(w -> w.startsWith("grp"));
            double hits = 0;
            int queries = 0;
            for (int g = 0; g < GROUPS; g++) {
                String group = "grp" + letters(g) + "m";
                for (int m = 0; m < GROUP_SIZE; m++) {
                    List<String> nearest = nearest(embeddings, groupWord(g, m), GROUP_SIZE - 1);
                    hits += nearest.stream().filter(w -> w.startsWith(group)).count();
                    queries += GROUP_SIZE - 1;
                }
            }
            assertThat(hits / queries).as("share of group words among the nearest neighbours").isGreaterThan(0.8);
        }
    }

    /** A document: 6 words of one group (repeats allowed) and 6 pool words, shuffled. */
    private static String document(Random random) {
        int group = random.nextInt(GROUPS);
        List<String> words = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            words.add(groupWord(group, random.nextInt(GROUP_SIZE)));
            words.add("pool" + letters(random.nextInt(POOL)));
        }
        Collections.shuffle(words, random);
        return String.join(" ", words);
    }

    /** Words are letters only: the word tokenizer splits digits off. */
    static String groupWord(int group, int member) {
        return "grp" + letters(group) + "m" + letters(member);
    }

    static String letters(int n) {
        return "" + (char) ('a' + n / 26) + (char) ('a' + n % 26);
    }

    /** The k nearest words by cosine, computed here from the raw snapshot so the test does not trust the query code. */
    static List<String> nearest(SkipGramLearner.Embeddings e, String word, int k) {
        int dim = e.dim();
        int q = List.of(e.words()).indexOf(word);
        assertThat(q).as("word %s has a vector", word).isNotNegative();
        List<Map.Entry<String, Double>> scored = new ArrayList<>();
        for (int i = 0; i < e.words().length; i++) {
            if (i == q) {
                continue;
            }
            double dot = 0, nq = 0, ni = 0;
            for (int j = 0; j < dim; j++) {
                float a = e.vectors()[q * dim + j], b = e.vectors()[i * dim + j];
                dot += a * b;
                nq += a * a;
                ni += b * b;
            }
            scored.add(Map.entry(e.words()[i], dot / Math.sqrt(nq * ni)));
        }
        scored.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        return scored.stream().limit(k).map(Map.Entry::getKey).toList();
    }
}
