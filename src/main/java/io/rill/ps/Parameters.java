package io.rill.ps;

import io.rill.nn.GradientClipping;
import io.rill.nn.Optimizer;
import io.rill.nn.Tensors;
import io.rill.state.StateFormat;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a parameter server owns, as a plain object: the dense blocks with their optimizer, the row-sparse blocks, and
 * the version (updates applied) and examples trained. A dense update pads a gradient computed before the blocks
 * grew, clips it, steps the optimizer and applies the constraints; a row update adds the workers' row deltas. Either
 * is one version. Not thread-safe: one actor owns it.
 *
 * <p>Binary state ({@link #writeTo}, {@link #readFrom}): version, examples, then the dense blocks and the optimizer's
 * kind and state, then the row blocks, each only if the design has them.
 */
public final class Parameters {

    private static final int FORMAT = 1;

    private final ServerDesign design;
    private final Tensors dense;
    private final Optimizer optimizer;
    private final RowBlocks rows;
    private long version;
    private long examples;

    /** Fresh parameters of {@code design}. */
    public Parameters(ServerDesign design) {
        this.design = design;
        this.dense = design.dense() == null ? null : design.dense().get();
        this.optimizer = dense == null ? null : design.optimizer().apply(dense);
        this.rows = design.rows() == null ? null : design.rows().get();
    }

    private Parameters(ServerDesign design, Tensors dense, Optimizer optimizer, RowBlocks rows, long version,
                       long examples) {
        this.design = design;
        this.dense = dense;
        this.optimizer = optimizer;
        this.rows = rows;
        this.version = version;
        this.examples = examples;
    }

    public long version() {
        return version;
    }

    public long examples() {
        return examples;
    }

    /** The dense blocks themselves (the owner's: copy before handing them out); null when the design has none. */
    public Tensors dense() {
        return dense;
    }

    /** The row blocks; null when the design has none. */
    public RowBlocks rows() {
        return rows;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /**
     * Whether {@code gradients} can update the dense blocks: the same tensors, no larger along a growth axis (a
     * gradient computed before the blocks grew is padded), none larger elsewhere.
     */
    public boolean fits(Tensors gradients) {
        if (dense == null || gradients.count() != dense.count() || gradients.dataType() != dense.dataType()) {
            return false;
        }
        for (int k = 0; k < dense.count(); k++) {
            if (!gradients.names().get(k).equals(dense.names().get(k))) {
                return false;
            }
            long gr = gradients.get(k).rows();
            long gc = gradients.get(k).columns();
            long pr = dense.get(k).rows();
            long pc = dense.get(k).columns();
            if (gr > pr || gc > pc || (dense.growth(k) == null && (gr != pr || gc != pc))) {
                return false;
            }
        }
        return true;
    }

    /** Applies one dense update from {@code gradients} (which {@link #fits}), as trained on {@code count} examples. */
    public void apply(Tensors gradients, long count) {
        gradients.padTo(dense);
        if (design.clipNorm() > 0) {
            GradientClipping.clipGlobalNorm(gradients, design.clipNorm());
        }
        if (!optimizer.sameShapeAs(dense)) {
            optimizer.padTo(dense);
        }
        optimizer.step(dense, gradients);
        for (Consumer<Tensors> constraint : design.constraints()) {
            constraint.accept(dense);
        }
        version++;
        examples += count;
    }

    /** Grows the dense blocks' {@code group} to at least {@code size} entries; returns whether it grew. */
    public boolean grow(String group, int size) {
        int current = dense.groupSize(group);
        if (size <= current) {
            return false;
        }
        Tensors.Fill fill = design.growth().getOrDefault(group, Tensors.Fill.ZEROS);
        dense.grow(group, size - current, fill);
        optimizer.padTo(dense);
        return true;
    }

    /** Copies of the rows of {@code ids[b]} of every row block b. */
    public float[][] pullRows(List<int[]> ids) {
        return pullRows(ids, null);
    }

    /**
     * Copies of the rows of {@code ids[b]} of every row block b, each into {@code into[b]} when that is long enough
     * ({@code into} may be null), else into a new array.
     */
    public float[][] pullRows(List<int[]> ids, List<float[]> into) {
        float[][] pulled = new float[ids.size()][];
        for (int b = 0; b < pulled.length; b++) {
            pulled[b] = rows.copyRows(b, ids.get(b), into == null || b >= into.size() ? null : into.get(b));
        }
        return pulled;
    }

    /** Adds row deltas to every row block, as one update; see {@link RowBlocks#addRows}. */
    public void pushRows(List<int[]> ids, List<float[]> deltas, long count) {
        for (int b = 0; b < ids.size(); b++) {
            rows.addRows(b, ids.get(b), deltas.get(b));
        }
        version++;
        examples += count;
    }

    /** An operator's learning rate, from the next update. */
    public void learningRate(double rate) {
        optimizer.learningRate(rate);
    }

    public void writeTo(DataOutput out) throws IOException {
        StateFormat.writeVersion(out, FORMAT);
        out.writeLong(version);
        out.writeLong(examples);
        if (dense != null) {
            dense.writeTo(out);
            out.writeInt(optimizer.kind().ordinal());
            optimizer.writeTo(out);
        }
        if (rows != null) {
            rows.writeTo(out);
        }
    }

    /**
     * Parameters of {@code design} written by {@link #writeTo}; fails, saying why, when they do not fit the design
     * (another model's shape, optimizer or row layout): silently starting afresh would drop what was learned.
     */
    public static Parameters readFrom(DataInput in, ServerDesign design, String what) throws IOException {
        StateFormat.readVersion(in, what, FORMAT);
        long version = StateFormat.readLong(in, 0, Long.MAX_VALUE, what + " version");
        long examples = StateFormat.readLong(in, 0, Long.MAX_VALUE, what + " examples");
        Tensors dense = null;
        Optimizer optimizer = null;
        if (design.dense() != null) {
            Tensors expected = design.dense().get();
            dense = Tensors.readFrom(in, what + " parameters");
            if (!sameLayout(dense, expected)) {
                throw new IOException(what + ": the saved parameters are " + dense.specs()
                        + ", which does not fit the configured " + expected.specs());
            }
            int kind = StateFormat.readInt(in, 0, Optimizer.Kind.values().length - 1, what + " optimizer");
            Optimizer configured = design.optimizer().apply(expected);
            if (Optimizer.Kind.values()[kind] != configured.kind()) {
                throw new IOException(what + ": the saved optimizer is " + Optimizer.Kind.values()[kind]
                        + ", the configured one " + configured.kind());
            }
            optimizer = configured.kind().readFrom(in, dense);
            optimizer.learningRate(configured.learningRate()); // the configured rate wins over an operator's
        }
        RowBlocks rows = null;
        if (design.rows() != null) {
            rows = design.rows().get();
            rows.readInto(in);
        }
        return new Parameters(design, dense, optimizer, rows, version, examples);
    }

    /** The same tensors, with the same growths and fixed sizes; a group may have grown. */
    private static boolean sameLayout(Tensors saved, Tensors expected) {
        if (saved.count() != expected.count() || saved.dataType() != expected.dataType()) {
            return false;
        }
        for (int k = 0; k < saved.count(); k++) {
            boolean sameName = saved.names().get(k).equals(expected.names().get(k));
            boolean sameGrowth = java.util.Objects.equals(saved.growth(k), expected.growth(k));
            Tensors.Axis axis = expected.growth(k) == null ? null : expected.growth(k).axis();
            boolean fixedSame = axis == Tensors.Axis.ROWS ? saved.get(k).columns() == expected.get(k).columns()
                    : axis == Tensors.Axis.COLUMNS ? saved.get(k).rows() == expected.get(k).rows()
                    : saved.get(k).rows() == expected.get(k).rows()
                            && saved.get(k).columns() == expected.get(k).columns();
            if (!sameName || !sameGrowth || !fixedSame) {
                return false;
            }
        }
        return true;
    }
}
