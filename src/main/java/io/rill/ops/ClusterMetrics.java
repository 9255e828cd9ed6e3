package io.rill.ops;

import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/** {@link ClusterMBean}: membership read from the cluster's state when asked; counts kept by the placement. */
public final class ClusterMetrics implements ClusterMBean {

    private final String selfAddress;
    private final Supplier<ClusterEvent.CurrentClusterState> state;
    private final Supplier<String> selfStatus;
    private final Set<String> hosted = ConcurrentHashMap.newKeySet();
    private final AtomicLong restored = new AtomicLong();
    private final AtomicLong handedOver = new AtomicLong();
    private final AtomicLong handoversFailed = new AtomicLong();
    private final AtomicLong adopted = new AtomicLong();

    /**
     * @param state      the cluster's current state as this node sees it (Akka keeps it up to date)
     * @param selfStatus this node's member status
     */
    public ClusterMetrics(String selfAddress, Supplier<ClusterEvent.CurrentClusterState> state,
                          Supplier<String> selfStatus) {
        this.selfAddress = selfAddress;
        this.state = state;
        this.selfStatus = selfStatus;
    }

    public void entityStarted(String kind, String id, boolean fromSavedState) {
        hosted.add(kind + "/" + id);
        if (fromSavedState) {
            restored.incrementAndGet();
        }
    }

    public void entityStopped(String kind, String id) {
        hosted.remove(kind + "/" + id);
    }

    public void handedOver(int partitions, boolean written) {
        (written ? handedOver : handoversFailed).addAndGet(partitions);
    }

    public void adopted(int partitions) {
        adopted.addAndGet(partitions);
    }

    @Override
    public String getSelfAddress() {
        return selfAddress;
    }

    @Override
    public String getSelfStatus() {
        return selfStatus.get();
    }

    @Override
    public String getMembers() {
        return members().stream().map(m -> m.address() + " " + m.status())
                .collect(Collectors.joining(", "));
    }

    @Override
    public int getMemberCount() {
        return members().size();
    }

    @Override
    public int getUnreachableCount() {
        return state.get().getUnreachable().size();
    }

    @Override
    public String getLeader() {
        return String.valueOf(state.get().getLeader());
    }

    @Override
    public String getHostedEntities() {
        return String.join(", ", new TreeSet<>(hosted));
    }

    @Override
    public long getEntitiesRestored() {
        return restored.get();
    }

    @Override
    public long getPartitionsHandedOver() {
        return handedOver.get();
    }

    @Override
    public long getHandoversFailed() {
        return handoversFailed.get();
    }

    @Override
    public long getPartitionsAdopted() {
        return adopted.get();
    }

    private Set<Member> members() {
        return StreamSupport.stream(state.get().getMembers().spliterator(), false)
                .collect(Collectors.toCollection(() -> new TreeSet<>(Member.ordering())));
    }
}
