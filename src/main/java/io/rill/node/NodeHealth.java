package io.rill.node;

import io.rill.ingest.IngestValve;
import io.rill.ops.Health;
import io.rill.ops.NodeStatus;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;

/**
 * The checks behind {@code /health}: the broker connection, ingest and the learners, each asked when the report is
 * made.
 * <ul>
 *   <li><b>broker</b>: the node's admin client asks the cluster to describe itself, within two seconds.</li>
 *   <li><b>ingest</b>: the ingest pipeline is running (not stopped), and its Kafka consumer is a member of its
 *       consumer group: the consumer's own {@code last-heartbeat-seconds-ago} (Kafka's client metrics, in this JVM) is
 *       below the group's session timeout. A consumer that cannot reach its group coordinator stops heartbeating, and
 *       after the session timeout the group gives its partitions to others; a node in that state takes nothing in.
 *       Paused by an operator is up, and says so.</li>
 *   <li><b>learners</b>: every actor each model started is alive ({@link LearnerWatch}).</li>
 * </ul>
 */
final class NodeHealth {

    private static final Duration BROKER_TIMEOUT = Duration.ofSeconds(2);
    /** Kafka's default client id of a consumer in group G: consumer-G-N. */
    private static final String CLIENT_ID = "client-id";

    private NodeHealth() {
    }

    static Health.Part broker(Admin admin, String bootstrap) {
        DescribeClusterResult cluster = admin.describeCluster(
                new DescribeClusterOptions().timeoutMs((int) BROKER_TIMEOUT.toMillis()));
        try {
            Collection<Node> nodes = cluster.nodes().get(BROKER_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
            String id = cluster.clusterId().get(BROKER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return Health.Part.up("connected", nodes.size() + " broker" + (nodes.size() == 1 ? "" : "s")
                    + " of cluster " + id + " answer at " + bootstrap);
        } catch (ExecutionException e) {
            return Health.Part.down("unreachable", "no answer from " + bootstrap + " within "
                    + BROKER_TIMEOUT.toSeconds() + " s: " + e.getCause());
        } catch (TimeoutException e) {
            return Health.Part.down("unreachable", "no answer from " + bootstrap + " within "
                    + BROKER_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.Part.down("unknown", "interrupted while asking " + bootstrap);
        }
    }

    /**
     * @param stopped        whether the ingest pipeline has ended (it restarts by itself after failures, so ended
     *                       means stopped for good)
     * @param sessionTimeout the consumer group's session timeout
     */
    static Health.Part ingest(CompletionStage<?> stopped, IngestValve valve, NodeStatus status, String groupId,
                              Duration sessionTimeout, BooleanSupplier stopping) {
        if (stopping.getAsBoolean() || stopped.toCompletableFuture().isDone()) {
            return Health.Part.down("stopped", "the ingest pipeline has stopped");
        }
        String restarts = status.getIngestRestarts() == 0 ? ""
                : "; the Kafka source restarted " + status.getIngestRestarts() + " times since the node started";
        String streams = status.getStreams() + " stream" + (status.getStreams() == 1 ? "" : "s") + " so far";
        Optional<Consumer> consumer = consumer(groupId);
        if (consumer.isEmpty()) {
            return Health.Part.up(valve.isClosed() ? "paused" : "running", "the ingest pipeline runs (" + streams
                    + "; its consumer's group membership cannot be read: no Kafka consumer metrics for group "
                    + groupId + ", was client.id set?)" + restarts);
        }
        Consumer c = consumer.get();
        if (Double.isNaN(c.lastHeartbeatSecondsAgo()) || c.lastHeartbeatSecondsAgo() < 0) {
            return Health.Part.down("joining", "the ingest consumer has not joined group " + groupId + " yet" + restarts);
        }
        if (c.lastHeartbeatSecondsAgo() * 1000 > sessionTimeout.toMillis()) {
            return Health.Part.down("disconnected", String.format(java.util.Locale.ROOT,
                    "the ingest consumer's last heartbeat to group %s was %.0f s ago (session timeout %d s): it is "
                            + "out of its group and takes nothing in%s", groupId, c.lastHeartbeatSecondsAgo(),
                    sessionTimeout.toSeconds(), restarts));
        }
        String members = String.format(java.util.Locale.ROOT, "member of group %s with %d partition%s assigned, "
                        + "last heartbeat %.0f s ago, %s", groupId, (long) c.assignedPartitions(),
                c.assignedPartitions() == 1 ? "" : "s", c.lastHeartbeatSecondsAgo(), streams);
        if (valve.isClosed()) {
            return Health.Part.up("paused", "paused by an operator (rill:type=Checkpoints resumeIngest); " + members
                    + restarts);
        }
        return Health.Part.up("consuming", members + restarts);
    }

    /** What Kafka's client metrics say of the newest ingest consumer: its heartbeat and its partitions. */
    private record Consumer(int sequence, double lastHeartbeatSecondsAgo, double assignedPartitions) {
    }

    private static Optional<Consumer> consumer(String groupId) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Pattern ours = Pattern.compile("consumer-" + Pattern.quote(groupId) + "-(\\d+)");
        try {
            return server.queryNames(new ObjectName("kafka.consumer:type=consumer-coordinator-metrics,*"), null)
                    .stream()
                    .map(name -> {
                        String clientId = name.getKeyProperty(CLIENT_ID);
                        Matcher m = clientId == null ? null : ours.matcher(clientId);
                        if (m == null || !m.matches()) {
                            return null;
                        }
                        try {
                            return new Consumer(Integer.parseInt(m.group(1)),
                                    number(server.getAttribute(name, "last-heartbeat-seconds-ago")),
                                    number(server.getAttribute(name, "assigned-partitions")));
                        } catch (Exception e) {
                            return null; // closed meanwhile
                        }
                    })
                    .filter(java.util.Objects::nonNull)
                    .max(Comparator.comparingInt(Consumer::sequence));
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
