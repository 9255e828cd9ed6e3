package io.rill.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rill.text.RejectReason;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Bad input at volume: tens of thousands of bad text records of every reject reason, on both text topics, and of bad
 * generation requests of every error code, sent as fast as one producer can, to one node. Nothing may crash: every
 * bad record must be dead-lettered under its reason (the dead-letter topic read back, and the counters), every
 * request answered with an error reply carrying its code (the replies topic read back, and the counters), nothing
 * counted as a good record; good records and a good request sent afterwards must be served as usual.
 */
final class BadInputScenario {

    /** The node's record limit here, as in the CI-sized test: oversize records stay cheap to send. */
    static final int MAX_RECORD_BYTES = 65536;
    /** rill's default request limit (rill.generate.max-request-bytes). */
    static final int MAX_REQUEST_BYTES = 65536;

    private static final ObjectMapper JSON = new ObjectMapper();

    private BadInputScenario() {
    }

    static ScenarioResult run(FaultBench bench, Path dir) throws Exception {
        ScenarioResult result = new ScenarioResult("bad", String.format(Locale.ROOT,
                "bad input at volume: %,d records, %,d requests", bench.badRecords, bench.badRequests));
        result.steps.add(String.format(Locale.ROOT, "Broker in its own JVM; a node `java %s -jar rill.jar run` with "
                + "`rill.ingest.max-record-bytes = %d`.", bench.nodeJvmOpts, MAX_RECORD_BYTES));
        result.steps.add(String.format(Locale.ROOT, "One producer sends, as fast as it can, %,d bad text records "
                + "(the five reject reasons in turn, several shapes each, alternating between %s and %s), then %,d "
                + "bad generation requests (%d kinds in turn, every error code a request can earn; a few of 10 MB).",
                bench.badRecords, FaultCluster.CORPUS, FaultCluster.NAMES, bench.badRequests,
                BadInputs.REQUEST_KINDS));
        result.steps.add("The dead-letter topic and the replies topic are read back until every record and request "
                + "is accounted for; the counters are compared; then 40 good records and one good request must be "
                + "served.");
        BadInputs inputs = new BadInputs(MAX_RECORD_BYTES, MAX_REQUEST_BYTES, bench.seed);
        Map<String, Long> expectedReasons = new TreeMap<>();
        Map<String, Long> expectedCodes = new TreeMap<>();
        try (FaultCluster cluster = new FaultCluster(bench, dir)) {
            cluster.startBroker();
            cluster.createTopics();
            FaultCluster.Node node = cluster.startNode("node", bench.nodeJvmOpts,
                    "rill.ingest.max-record-bytes = " + MAX_RECORD_BYTES + "\n");
            long deadline = System.nanoTime() + Duration.ofSeconds(bench.startTimeout).toNanos();
            while (node.jmx.streams().size() < FaultCluster.TEXT_PARTITIONS.size()) {
                if (System.nanoTime() > deadline || !node.process.alive()) {
                    throw new IllegalStateException("the node's partitions were not assigned within "
                            + bench.startTimeout + " s; see " + node.process.log());
                }
                Thread.sleep(100);
            }
            long restartsBefore = node.jmx.longAttribute(NodeJmx.NODE, "IngestRestarts");

            AtomicLong failed = new AtomicLong();
            AtomicReference<Exception> firstFailure = new AtomicReference<>();
            long bytes = 0;
            long start = System.nanoTime();
            double recordsSeconds;
            double requestsSeconds;
            try (KafkaProducer<byte[], byte[]> producer = producer(cluster.bootstrap())) {
                for (int i = 0; i < bench.badRecords; i++) {
                    BadInputs.BadRecord bad = inputs.record(i);
                    expectedReasons.merge(bad.reason().code(), 1L, Long::sum);
                    bytes += bad.value() == null ? 0 : bad.value().length;
                    producer.send(new ProducerRecord<>(i % 2 == 0 ? FaultCluster.CORPUS : FaultCluster.NAMES,
                            bad.value()), (m, e) -> failure(e, failed, firstFailure));
                }
                producer.flush();
                recordsSeconds = (System.nanoTime() - start) / 1e9;
                long requestsStart = System.nanoTime();
                for (int i = 0; i < bench.badRequests; i++) {
                    BadInputs.BadRequest bad = inputs.request(i);
                    expectedCodes.merge(bad.code(), 1L, Long::sum);
                    bytes += bad.value() == null ? 0 : bad.value().length;
                    producer.send(new ProducerRecord<>(FaultCluster.REQUESTS, bad.value()),
                            (m, e) -> failure(e, failed, firstFailure));
                }
                producer.flush();
                requestsSeconds = (System.nanoTime() - requestsStart) / 1e9;
            }
            System.out.printf(Locale.ROOT, "[bad] sent %,d bad records in %.1f s and %,d bad requests in %.1f s "
                    + "(%,.0f MB)%n", bench.badRecords, recordsSeconds, bench.badRequests, requestsSeconds, bytes / 1e6);

            // Read back what rill wrote, until everything is accounted for.
            Map<String, Long> deadByReason = new TreeMap<>();
            Map<String, Long> codes = new TreeMap<>();
            long deadLettered = 0;
            long withCoordinates = 0;
            long errorReplies = 0;
            long replies = 0;
            double processed = -1;
            try (KafkaConsumer<byte[], byte[]> dead = consumer(cluster.bootstrap(), FaultCluster.DEADLETTER);
                 KafkaConsumer<byte[], byte[]> answers = consumer(cluster.bootstrap(), FaultCluster.GENERATED)) {
                long end = System.nanoTime() + Duration.ofSeconds(bench.timeout).toNanos();
                while (System.nanoTime() < end && node.process.alive()) {
                    for (ConsumerRecord<byte[], byte[]> r : dead.poll(Duration.ofMillis(200))) {
                        deadLettered++;
                        deadByReason.merge(header(r, "rill.error.reason"), 1L, Long::sum);
                        if (header(r, "rill.source.topic") != null && header(r, "rill.source.offset") != null
                                && header(r, "rill.source.partition") != null) {
                            withCoordinates++;
                        }
                    }
                    for (ConsumerRecord<byte[], byte[]> r : answers.poll(Duration.ofMillis(200))) {
                        JsonNode reply = JSON.readTree(r.value());
                        String type = reply.path("type").asText();
                        if (type.equals("error")) {
                            errorReplies++;
                            codes.merge(reply.path("code").asText(), 1L, Long::sum);
                        } else if (type.equals("reply")) {
                            replies++;
                        }
                    }
                    if (deadLettered >= bench.badRecords && errorReplies + replies >= bench.badRequests) {
                        processed = (System.nanoTime() - start) / 1e9;
                        break;
                    }
                }
            }
            System.out.printf(Locale.ROOT, "[bad] read back %,d dead letters and %,d error replies after %.1f s%n",
                    deadLettered, errorReplies, (System.nanoTime() - start) / 1e9);
            Map<String, Long> jmxDead = node.jmx.deadLetters();
            long jmxErrors = node.jmx.longAttribute(NodeJmx.GENERATION, "ErrorReplies");
            long jmxRequests = node.jmx.longAttribute(NodeJmx.GENERATION, "Requests");
            String jmxCodes = String.valueOf(node.jmx.attribute(NodeJmx.GENERATION, "ErrorsByCode"));
            long recordsIn = node.jmx.recordsIn();
            long restarts = node.jmx.longAttribute(NodeJmx.NODE, "IngestRestarts") - restartsBefore;

            result.figure("bad records sent", "%,d in %.1f s (%,.0f records/s)", bench.badRecords, recordsSeconds,
                    bench.badRecords / recordsSeconds);
            result.figure("bad requests sent", "%,d in %.1f s (%,.0f requests/s)", bench.badRequests,
                    requestsSeconds, bench.badRequests / requestsSeconds);
            result.figure("bytes sent", "%,.1f MB", bytes / 1e6);
            result.figure("everything accounted for after", "%s", processed < 0 ? "never (see the checks)"
                    : String.format(Locale.ROOT, "%.1f s from the first send", processed));
            result.figure("expected reasons", "%s", expectedReasons);
            result.figure("dead-letter topic by reason", "%s", deadByReason);
            result.figure("expected error codes", "%s", expectedCodes);
            result.figure("error replies by code", "%s", codes);
            result.figure("rill:type=Generation ErrorsByCode", "%s", jmxCodes);
            result.figure("Kafka source restarts (IngestRestarts)", "%d", restarts);
            result.check("the producer's sends all succeeded", failed.get() == 0, "%d failed%s", failed.get(),
                    firstFailure.get() == null ? "" : ", first: " + firstFailure.get());
            result.check("the node stayed up", node.process.alive(), "pid %d", node.process.pid());
            result.check("every bad record on the dead-letter topic, under its reason",
                    deadLettered == bench.badRecords && deadByReason.equals(expectedReasons),
                    "%,d of %,d", deadLettered, bench.badRecords);
            result.check("every dead letter names its source topic, partition and offset",
                    withCoordinates == deadLettered, "%,d of %,d", withCoordinates, deadLettered);
            boolean countersMatch = jmxDead.get("Total") == bench.badRecords;
            for (RejectReason reason : RejectReason.values()) {
                long expected = expectedReasons.getOrDefault(reason.code(), 0L);
                countersMatch &= jmxDead.get(attributeOf(reason)) == expected;
            }
            result.check("rill:type=DeadLetters counts match, reason by reason", countersMatch, "%s; WriteFailures %d",
                    jmxDead, jmxDead.get("WriteFailures"));
            result.check("every bad request answered with its error code", codes.equals(expectedCodes) && replies == 0,
                    "%,d error replies, %,d sample replies", errorReplies, replies);
            result.check("rill:type=Generation counts match", jmxErrors == bench.badRequests
                    && jmxRequests == bench.badRequests, "Requests %,d, ErrorReplies %,d", jmxRequests, jmxErrors);
            result.check("no bad record counted as a good one", recordsIn == 0, "RecordsIn %,d", recordsIn);

            // Still serving.
            double served = serveGood(cluster, node);
            result.check("good input afterwards is served", served >= 0, "%s", served < 0
                    ? "not within " + bench.timeout + " s"
                    : String.format(Locale.ROOT, "40 records counted and a reply within %.1f s", served));
            Integer exit = cluster.stopNode(node, Duration.ofSeconds(90));
            result.check("the node stops cleanly on SIGTERM afterwards", exit != null && (exit == 0 || exit == 143),
                    "exit %s", exit == null ? "none within 90 s (killed)" : exit.toString());
            cluster.noteLogs(result);
        }
        return result;
    }

    /** Sends 20 good records to each text topic and one good request; seconds until all served, or -1. */
    private static double serveGood(FaultCluster cluster, FaultCluster.Node node) throws Exception {
        long start = System.nanoTime();
        long before = node.jmx.recordsIn();
        try (KafkaProducer<byte[], byte[]> producer = producer(cluster.bootstrap());
             KafkaConsumer<byte[], byte[]> answers = consumer(cluster.bootstrap(), FaultCluster.GENERATED)) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(FaultCluster.CORPUS, ("the good ship number " + i)
                        .getBytes(StandardCharsets.UTF_8)));
                producer.send(new ProducerRecord<>(FaultCluster.NAMES, ("Ishmael" + (char) ('a' + i))
                        .getBytes(StandardCharsets.UTF_8)));
            }
            producer.send(new ProducerRecord<>(FaultCluster.REQUESTS, "good-1".getBytes(StandardCharsets.UTF_8),
                    "{\"id\":\"good-1\",\"count\":2}".getBytes(StandardCharsets.UTF_8)));
            producer.flush();
            boolean answered = false;
            long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (System.nanoTime() < end && node.process.alive()) {
                for (ConsumerRecord<byte[], byte[]> r : answers.poll(Duration.ofMillis(200))) {
                    JsonNode reply = JSON.readTree(r.value());
                    answered |= reply.path("type").asText().equals("reply")
                            && reply.path("id").asText().equals("good-1");
                }
                if (answered && node.jmx.recordsIn() - before >= 40) {
                    return (System.nanoTime() - start) / 1e9;
                }
            }
        }
        return -1;
    }

    private static String attributeOf(RejectReason reason) {
        return switch (reason) {
            case NULL_VALUE -> "NullValue";
            case EMPTY -> "Empty";
            case MALFORMED_UTF8 -> "MalformedUtf8";
            case TOO_LARGE -> "TooLarge";
            case CONTROL_CHARACTER -> "ControlCharacter";
        };
    }

    private static void failure(Exception e, AtomicLong failed, AtomicReference<Exception> first) {
        if (e != null) {
            failed.incrementAndGet();
            first.compareAndSet(null, e);
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(256L * 1024 * 1024));
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "17000000");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A consumer of partition 0 of {@code topic} from its beginning (the dead-letter and replies topics have one). */
    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "4194304");
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        TopicPartition partition = new TopicPartition(topic, 0);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        return consumer;
    }
}
