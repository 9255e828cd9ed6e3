package io.rill.ingest;

import io.rill.kafka.PartitionOffsets;
import io.rill.ops.IngestStreamMetrics;
import io.rill.ops.NodeStatus;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads, every few seconds, each ingest partition's end offset and the group's committed offset, and publishes the
 * difference as the stream's ConsumerLag. It runs on its own thread: admin calls block, and an unreachable broker
 * must not hold up anything else.
 */
public final class LagPoller implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LagPoller.class);

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "rill-lag-poller");
        thread.setDaemon(true);
        return thread;
    });

    public LagPoller(Admin admin, String groupId, Collection<String> topics, NodeStatus status, Duration interval,
                     Duration timeout) {
        long millis = interval.toMillis();
        executor.scheduleWithFixedDelay(() -> poll(admin, groupId, topics, status, timeout.toMillis()), millis, millis,
                TimeUnit.MILLISECONDS);
    }

    private static void poll(Admin admin, String groupId, Collection<String> topics, NodeStatus status, long timeout) {
        try {
            Map<String, IngestStreamMetrics> streams = status.streams().stream()
                    .collect(Collectors.toMap(s -> s.topic() + "-" + s.partition(), Function.identity()));
            for (PartitionOffsets offsets : PartitionOffsets.read(admin, groupId, topics, timeout)) {
                IngestStreamMetrics metrics = streams.get(offsets.topic() + "-" + offsets.partition());
                if (metrics != null) {
                    metrics.lag(offsets.lag());
                }
            }
        } catch (Exception e) {
            log.warn("lag poll failed (broker unreachable?): {}", e.toString());
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
