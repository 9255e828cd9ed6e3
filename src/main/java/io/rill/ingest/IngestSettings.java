package io.rill.ingest;

import com.typesafe.config.Config;
import io.rill.text.TokenizerKind;
import java.time.Duration;
import java.util.List;

/** The {@code rill.ingest} section of the configuration, read once; every key is documented in application.conf. */
public record IngestSettings(
        List<StreamSpec> streams,
        int maxRecordBytes,
        int maxDistinctTokens,
        String deadletterTopic,
        int batchSize,
        long batchBytes,
        Duration batchWindow,
        Duration askTimeout,
        Duration learnTimeout,
        int commitMaxBatch,
        Duration commitMaxInterval,
        Duration restartMinBackoff,
        Duration restartMaxBackoff,
        double restartRandomFactor,
        Duration lagPollInterval,
        Duration pollTimeout,
        int prefetchBatches) {

    public static IngestSettings from(Config ingest) {
        List<StreamSpec> streams = ingest.getConfigList("streams").stream()
                .map(c -> new StreamSpec(c.getString("topic"), TokenizerKind.parse(c.getString("tokenizer")),
                        c.hasPath("batch-bytes") ? c.getBytes("batch-bytes") : ingest.getBytes("batch-bytes")))
                .toList();
        IngestSettings settings = new IngestSettings(
                streams,
                ingest.getInt("max-record-bytes"),
                ingest.getInt("max-distinct-tokens"),
                ingest.getString("deadletter-topic"),
                ingest.getInt("batch-size"),
                ingest.getBytes("batch-bytes"),
                ingest.getDuration("batch-window"),
                ingest.getDuration("ask-timeout"),
                ingest.getDuration("learn-timeout"),
                ingest.getInt("commit-max-batch"),
                ingest.getDuration("commit-max-interval"),
                ingest.getDuration("restart-min-backoff"),
                ingest.getDuration("restart-max-backoff"),
                ingest.getDouble("restart-random-factor"),
                ingest.getDuration("lag-poll-interval"),
                ingest.getDuration("poll-timeout"),
                ingest.getInt("prefetch-batches"));
        if (settings.learnTimeout.compareTo(settings.askTimeout) >= 0) {
            throw new IllegalArgumentException("rill.ingest.learn-timeout (" + settings.learnTimeout
                    + ") must be shorter than rill.ingest.ask-timeout (" + settings.askTimeout
                    + "): a stream must learn why its models did not answer before its batch times out");
        }
        return settings;
    }
}
