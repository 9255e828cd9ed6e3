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
 *   <li>the server's actor, one thread: U·(a + t_copy/p + t_data/e) + N·t_data/g ≤ 1 s/s, with a the time to clip and
 *       apply one gradient, t_copy the copy a pull costs it, t_data the copy of a snapshot with data (each node's
 *       generator every g seconds, the progress reporter every e updates);</li>
 *   <li>the inbound lane: f·U·t_deser(G) ≤ 1 s/s;</li>
 *   <li>the server node's link, inbound: f·U·G ≤ B;</li>
 *   <li>outbound: f·U·(S/p + S_d/e) + (N-1)·S_d/g ≤ B, S_d the snapshot with data;</li>
 *   <li>if both directions share B (a half-duplex or shared link, the pessimistic reading):
 *       f·U·(G + S/p + S_d/e) + (N-1)·S_d/g ≤ B.</li>
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
 * @param stalenessPerNode   staleness p99 per node seen in the runs (versions), for a rough extrapolation; NaN if none
 */
record ClusterModel(double r, double c, double applySeconds, double pullCopySeconds, double dataCopySeconds,
                    double pushDeserSeconds, double pullSerSeconds, double dataSerSeconds, long pushBytes,
                    long pullBytes, long dataPullBytes, int pullEverySteps, int progressEverySteps,
                    double snapshotIntervalSeconds, int maxStaleness, double stalenessPerNode) {

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

    Prediction predict(int nodes, double bitsPerSecond) {
        double bytesPerSecond = bitsPerSecond / 8;
        double f = (nodes - 1) / (double) nodes;
        double generatorRefreshes = snapshotIntervalSeconds > 0 ? 1 / snapshotIntervalSeconds : 0; // per node
        double compute = nodes * r;
        double serverBusy = applySeconds + pullCopySeconds / pullEverySteps + dataCopySeconds * perUpdateData();
        double server = Math.max(0, 1 - nodes * generatorRefreshes * dataCopySeconds) / serverBusy;
        double inf = Double.POSITIVE_INFINITY;
        double lane = nodes == 1 ? inf : 1 / (f * pushDeserSeconds);
        double linkIn = nodes == 1 ? inf : bytesPerSecond / (f * pushBytes);
        double generatorBytes = (nodes - 1) * generatorRefreshes * dataPullBytes;
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
        double cores = u * serverBusy + nodes * generatorRefreshes * dataCopySeconds
                + f * u * (pushDeserSeconds + pullSerSeconds / pullEverySteps + dataSerSeconds * perUpdateData())
                + (nodes - 1) * generatorRefreshes * dataSerSeconds;
        return new Prediction(nodes, bitsPerSecond, compute, server, lane, linkIn, linkOut, shared, u, names[min],
                u * c, sharedU * c, in, out, cores, stalenessPerNode * nodes);
    }

    /** Bytes that cross between nodes per update with N nodes, pushes and pulls (not the generators' refreshes). */
    double crossingBytesPerUpdate(int nodes) {
        double f = (nodes - 1) / (double) nodes;
        return f * (pushBytes + (double) pullBytes / pullEverySteps + dataPullBytes * perUpdateData());
    }
}
