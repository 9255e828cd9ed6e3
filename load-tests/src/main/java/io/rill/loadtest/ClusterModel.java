package io.rill.loadtest;

/**
 * The network-cost model of the cluster benchmark: what one character model trains per second on N machines, from
 * figures measured on this one. One update is one worker step: c characters, one gradient push of G bytes to the
 * model's parameter server, and every p steps a pull of S bytes back. The server is one entity on one node (Cluster
 * Sharding puts a model's server on exactly one node), so everything converges on that node: its actor applies
 * every update, its network interface carries every push and pull of the other N-1 nodes, and Artery deserializes
 * every remote push on one inbound lane (lanes are chosen by recipient, and all pushes have the same one).
 *
 * <p>With U updates per second in all, f = (N-1)/N of them from other nodes (every node's worker pushes its own
 * steps at the same rate), the bounds are:
 * <ul>
 *   <li>compute: U ≤ N·r, r one node's worker steps per second (measured on one node, so compute bound);</li>
 *   <li>the server's actor, one thread: U·(a + t_copy/p + t_data/e) + N·t_gen ≤ 1 s/s, with a the time to clip and
 *       apply one gradient, t_copy the copy a pull costs it, t_data the copy of a snapshot with data (the progress
 *       reporter's every e updates), t_gen what one node's generator costs it per second (a copy of the parameters
 *       every g seconds, with the data every g_s);</li>
 *   <li>the inbound lane: f·U·t_deser(G) ≤ 1 s/s;</li>
 *   <li>the server node's link, inbound: f·U·G ≤ B;</li>
 *   <li>outbound: f·U·(S/p + S_d/e) + (N-1)·R_gen ≤ B, S_d the snapshot with data, R_gen = S/g + (S_d − S)/g_s
 *       the bytes per second one generator pulls;</li>
 *   <li>if both directions share B (a half-duplex or shared link, the pessimistic reading):
 *       f·U·(G + S/p + S_d/e) + (N-1)·R_gen ≤ B.</li>
 * </ul>
 * U is the smallest of the first five; characters per second are U·c.
 *
 * @param r                  one node's worker steps per second
 * @param c                  characters per step
 * @param applySeconds       a
 * @param pullCopySeconds    t_copy
 * @param dataCopySeconds    t_data
 * @param pushDeserSeconds   t_deser(G)
 * @param pullSerSeconds     t_ser(S), on the server node's outbound lanes
 * @param dataSerSeconds     t_ser(S_d)
 * @param snapshotIntervalSeconds    g: how often each node's generator pulls the parameters (0: no generators)
 * @param seenRefreshSeconds         g_s: how often the seen set and held-out lines come with them
 * @param stalenessPerNode   staleness p99 per node seen in the runs (versions), for a rough extrapolation; NaN if none
 */
record ClusterModel(double r, double c, double applySeconds, double pullCopySeconds, double dataCopySeconds,
                    double pushDeserSeconds, double pullSerSeconds, double dataSerSeconds, long pushBytes,
                    long pullBytes, long dataPullBytes, int pullEverySteps, int progressEverySteps,
                    double snapshotIntervalSeconds, double seenRefreshSeconds, int maxStaleness,
                    double stalenessPerNode) {

    /** The bound names, in the order of the record components of {@link Prediction}. */
    static final String COMPUTE = "compute";
    static final String SERVER = "server actor";
    static final String LANE = "inbound lane";
    static final String LINK_IN = "link in";
    static final String LINK_OUT = "link out";

    /**
     * One N and one bandwidth: each bound in updates per second (infinite where it does not apply), the smallest and
     * its name, the server node's traffic and serving CPU at that rate.
     */
    record Prediction(int nodes, double bitsPerSecond, double compute, double server, double lane, double linkIn,
                      double linkOut, double shared, double updates, String limit, double charsPerSec,
                      double sharedCharsPerSec, double inBytesPerSec, double outBytesPerSec, double serverCores,
                      double staleness) {
    }

    /** Per update, on average: the fraction of a progress report's data snapshot it carries. */
    private double perUpdateData() {
        return progressEverySteps > 0 ? 1.0 / progressEverySteps : 0;
    }

    /** One node's generator: refreshes per second, and how many of them carry the seen set and held-out lines. */
    private double refreshes() {
        return snapshotIntervalSeconds > 0 ? 1 / snapshotIntervalSeconds : 0;
    }

    private double refreshesWithData() {
        return seenRefreshSeconds > 0 ? Math.min(refreshes(), 1 / seenRefreshSeconds) : refreshes();
    }

    /** Bytes one node's generator pulls from the server per second: S every g seconds, S_d instead every g_s. */
    double generatorBytesPerSecond() {
        return (refreshes() - refreshesWithData()) * pullBytes + refreshesWithData() * dataPullBytes;
    }

    /** The server actor's time per second copying one generator's snapshots. */
    private double generatorCopyPerSecond() {
        return (refreshes() - refreshesWithData()) * pullCopySeconds + refreshesWithData() * dataCopySeconds;
    }

    /** The server node's time per second serializing one remote generator's snapshots. */
    private double generatorSerializePerSecond() {
        return (refreshes() - refreshesWithData()) * pullSerSeconds + refreshesWithData() * dataSerSeconds;
    }

    Prediction predict(int nodes, double bitsPerSecond) {
        double bytesPerSecond = bitsPerSecond / 8;
        double f = (nodes - 1) / (double) nodes;
        double compute = nodes * r;
        double serverBusy = applySeconds + pullCopySeconds / pullEverySteps + dataCopySeconds * perUpdateData();
        double server = Math.max(0, 1 - nodes * generatorCopyPerSecond()) / serverBusy;
        double inf = Double.POSITIVE_INFINITY;
        double lane = nodes == 1 ? inf : 1 / (f * pushDeserSeconds);
        double linkIn = nodes == 1 ? inf : bytesPerSecond / (f * pushBytes);
        double generatorBytes = (nodes - 1) * generatorBytesPerSecond();
        double outPerUpdate = (double) pullBytes / pullEverySteps + dataPullBytes * perUpdateData();
        double linkOut = nodes == 1 ? inf : Math.max(0, bytesPerSecond - generatorBytes) / (f * outPerUpdate);
        double shared = nodes == 1 ? inf
                : Math.max(0, bytesPerSecond - generatorBytes) / (f * (pushBytes + outPerUpdate));
        double[] bounds = {compute, server, lane, linkIn, linkOut};
        String[] names = {COMPUTE, SERVER, LANE, LINK_IN, LINK_OUT};
        int min = 0;
        for (int i = 1; i < bounds.length; i++) {
            if (bounds[i] < bounds[min]) {
                min = i;
            }
        }
        double u = bounds[min];
        double sharedU = Math.min(Math.min(compute, server), Math.min(lane, shared));
        double in = f * u * pushBytes;
        double out = f * u * outPerUpdate + generatorBytes;
        double cores = u * serverBusy + nodes * generatorCopyPerSecond()
                + f * u * (pushDeserSeconds + pullSerSeconds / pullEverySteps + dataSerSeconds * perUpdateData())
                + (nodes - 1) * generatorSerializePerSecond();
        return new Prediction(nodes, bitsPerSecond, compute, server, lane, linkIn, linkOut, shared, u, names[min],
                u * c, sharedU * c, in, out, cores, stalenessPerNode * nodes);
    }

    /** Bytes that cross between nodes per update with N nodes, pushes and pulls (not the generators' refreshes). */
    double crossingBytesPerUpdate(int nodes) {
        double f = (nodes - 1) / (double) nodes;
        return f * (pushBytes + (double) pullBytes / pullEverySteps + dataPullBytes * perUpdateData());
    }
}
