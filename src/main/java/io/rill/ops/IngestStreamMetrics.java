package io.rill.ops;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The published figures of one ingest stream. The stream's actor owns the real state and writes here after each
 * batch; the Kafka stream writes commit progress; a lag poller writes lag. JMX and the live view only read.
 */
public final class IngestStreamMetrics implements IngestStreamMBean {

    private final String topic;
    private final int partition;
    private final AtomicLong recordsIn = new AtomicLong();
    private final AtomicLong tokensIn = new AtomicLong();
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong linesIn = new AtomicLong();
    private final AtomicLong distinctTokens = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong lastCommittedOffset = new AtomicLong(-1);
    private final AtomicLong consumerLag = new AtomicLong(-1);
    private final RateMeter recordRate = new RateMeter();
    private volatile String topTokens = "";

    public IngestStreamMetrics(String topic, int partition) {
        this.topic = topic;
        this.partition = partition;
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    /** Called by the stream's actor after it has taken a batch in. */
    public void accepted(long records, long tokens, long bytes, long lines, long distinct) {
        recordsIn.addAndGet(records);
        tokensIn.addAndGet(tokens);
        bytesIn.addAndGet(bytes);
        linesIn.addAndGet(lines);
        distinctTokens.set(distinct);
        recordRate.mark(records);
    }

    /** The stream was restored from a checkpoint holding these counts. */
    public void restored(long records, long tokens, long bytes, long lines) {
        recordsIn.set(records);
        tokensIn.set(tokens);
        bytesIn.set(bytes);
        linesIn.set(lines);
    }

    public void deadLettered(long records) {
        deadLettered.addAndGet(records);
    }

    public void committed(long nextOffset) {
        lastCommittedOffset.accumulateAndGet(nextOffset, Math::max);
    }

    public void lag(long lag) {
        consumerLag.set(lag);
    }

    /** The actor publishes a fresh top-tokens line now and then; computing it on every read would race its map. */
    public void topTokens(String line) {
        this.topTokens = line;
    }

    @Override
    public long getRecordsIn() {
        return recordsIn.get();
    }

    @Override
    public long getTokensIn() {
        return tokensIn.get();
    }

    @Override
    public long getBytesIn() {
        return bytesIn.get();
    }

    @Override
    public long getLinesIn() {
        return linesIn.get();
    }

    @Override
    public long getDistinctTokens() {
        return distinctTokens.get();
    }

    @Override
    public double getRecordsPerSecond() {
        return recordRate.perSecond();
    }

    @Override
    public long getDeadLettered() {
        return deadLettered.get();
    }

    @Override
    public long getLastCommittedOffset() {
        return lastCommittedOffset.get();
    }

    @Override
    public long getConsumerLag() {
        return consumerLag.get();
    }

    @Override
    public String getTopTokens() {
        return topTokens;
    }
}
