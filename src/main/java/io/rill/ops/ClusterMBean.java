package io.rill.ops;

/**
 * JMX view of this node's place in the Akka Cluster, {@code rill:type=Cluster} (registered only when
 * {@code rill.cluster.enabled} is on): who is in, who is unreachable, which parameter servers run here, and how
 * often partitions and servers moved.
 */
public interface ClusterMBean {

    /** This node's address, e.g. akka://rill@10.0.0.5:25520. */
    String getSelfAddress();

    /** This node's member status (Joining, Up, Leaving, ...). */
    String getSelfStatus();

    /** The members and their status, by address. */
    String getMembers();

    int getMemberCount();

    /** Members this node cannot reach now; the split brain resolver downs them once that lasts. */
    int getUnreachableCount();

    String getLeader();

    /** Parameter-server entities running on this node ("kind/id"), and how many started here from a saved state. */
    String getHostedEntities();

    @Counter
    long getEntitiesRestored();

    /** Partitions handed over by this node on revocation, and handovers that could not write their checkpoint. */
    @Counter
    long getPartitionsHandedOver();

    @Counter
    long getHandoversFailed();

    /** Partitions assigned to this node that resumed from a checkpointed state (this node's or another's). */
    @Counter
    long getPartitionsAdopted();
}
