package io.rill.classify;

import io.rill.nn.Tensors;
import io.rill.ps.ParameterServer;

/**
 * A reader's copy of a classifier: the parameters of a version (pulled from the parameter server, the previous copy
 * handed back to be overwritten when the server is on this node) and the data ({@link DataCopy}). The two arrive
 * separately; {@link #ready} says when they fit together for answering: parameters with a row for every class the
 * data names. Not thread-safe: one actor owns it.
 */
final class ModelCopy {

    private final CnnConfig config;
    private final boolean recycle;
    private final DataCopy data;
    private CnnParams params;
    private Tensors spare;
    private long version;

    ModelCopy(CnnConfig config, boolean recycle, boolean heldOut) {
        this.config = config;
        this.recycle = recycle;
        this.data = new DataCopy(config.dimension(), heldOut);
    }

    /** The tensors the next pull may overwrite (null: let the server allocate). */
    Tensors takeSpare() {
        Tensors reuse = recycle ? spare : null;
        spare = null;
        return reuse;
    }

    void apply(ParameterServer.Snapshot snapshot) {
        if (params != null && params.tensors() != snapshot.params()) {
            spare = params.tensors();
        }
        params = CnnParams.wrap(config, snapshot.params());
        version = snapshot.version();
    }

    boolean ready() {
        return params != null && !data.labels().isEmpty() && params.classes() >= data.labels().size();
    }

    CnnParams params() {
        return params;
    }

    long version() {
        return version;
    }

    DataCopy data() {
        return data;
    }
}
