package io.rill.ops;

/**
 * JMX view of one ingest stream, {@code rill:type=Ingest,topic=<topic>,partition=<n>}. Offsets follow Kafka's
 * convention: a committed offset is the next offset to read, and lag is the end offset minus it.
 */
public interface IngestStreamMBean {

    /** Records accepted by the stream's actor (dead-lettered records are not counted here). */
    @Counter
    long getRecordsIn();

    /** Tokens in accepted records: words on corpus topics, characters on names topics. */
    @Counter
    long getTokensIn();

    /** Bytes of accepted record values. */
    @Counter
    long getBytesIn();

    /** Lines (documents on corpus topics, sequences on names topics) in accepted records. */
    @Counter
    long getLinesIn();

    /** Distinct tokens this stream has seen. */
    long getDistinctTokens();

    /** Accepted records per second, one-minute moving average. */
    double getRecordsPerSecond();

    /** Records of this partition sent to the dead-letter topic. */
    @Counter
    long getDeadLettered();

    /** The offset last committed to Kafka for this partition (the next one to read), or -1 before the first. */
    long getLastCommittedOffset();

    /** End offset of the partition minus the committed offset, as of the last lag poll; -1 when unknown. */
    long getConsumerLag();

    /** The ten most frequent tokens of this stream with their counts, most frequent first. */
    String getTopTokens();
}
