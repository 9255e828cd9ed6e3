package io.rill.ps;

/** What a parameter server reports, to whichever model's metrics (and JMX bean) it serves. */
public interface ServerMetrics {

    /** An update was applied: the server is at {@code version}, the update was computed {@code staleness} before. */
    void applied(long version, long staleness, long examples, double loss);

    /** An update computed on parameters more than {@code max-staleness} versions old was refused. */
    void refusedStale(long staleness);

    /** A gradient of another shape was refused (another node's model, configured otherwise). */
    void refusedMisshapen();

    /** A copy of the parameters was served. */
    void pulled();

    /** The server started from a saved state at {@code version}, having trained {@code examples}. */
    void restored(long version, long examples);

    /** The size of a group the parameters grew along (a vocabulary). */
    default void grew(String group, int size) {
    }

    /** For servers whose model keeps its own figures. */
    ServerMetrics NONE = new ServerMetrics() {
        @Override
        public void applied(long version, long staleness, long examples, double loss) {
        }

        @Override
        public void refusedStale(long staleness) {
        }

        @Override
        public void refusedMisshapen() {
        }

        @Override
        public void pulled() {
        }

        @Override
        public void restored(long version, long examples) {
        }
    };
}
