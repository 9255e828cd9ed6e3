package io.rill.skipgram;

/**
 * Prints the CPU time per pair of the kernel and the throughput of the front end on this machine; a program to run by hand, not a
 * test (timings would make a test flaky). Pairs and negatives are drawn from a Zipf-like
 * distribution so row reuse and cache behaviour resemble text.
 *
 * <pre>
 * mvn -B -q test-compile
 * java [--add-modules jdk.incubator.vector] -cp target/classes:target/test-classes \
 *     io.rill.skipgram.SgnsKernelBenchmark [dim] [negatives] [vocab] [batch]
 * </pre>
 */
public final class SgnsKernelBenchmark {
    public static void main(String[] args) {
        int dim = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int k = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int vocab = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 1024;
        System.out.printf("dim=%d negatives=%d vocab=%d batch=%d cores=%d%n",
                dim, k, vocab, batch, Runtime.getRuntime().availableProcessors());

        SplitMix64 rng = new SplitMix64(1);
        int[] ids = new int[vocab];
        double[] zipf = new double[vocab];
        for (int i = 0; i < vocab; i++) {
            ids[i] = i;
            zipf[i] = 1.0 / (i + 1);
        }
        AliasTable words = AliasTable.build(ids, zipf, vocab);
        for (int i = 0; i < vocab; i++) zipf[i] = Math.pow(1.0 / (i + 1), 0.75);
        AliasTable noise = AliasTable.build(ids, zipf, vocab);

        int batches = 64;
        PairBuffer[] pairs = new PairBuffer[batches];
        int[][] negs = new int[batches][batch * k];
        for (int b = 0; b < batches; b++) {
            pairs[b] = new PairBuffer(batch);
            for (int p = 0; p < batch; p++) pairs[b].add(words.sample(rng), words.sample(rng));
            for (int j = 0; j < batch * k; j++) negs[b][j] = noise.sample(rng);
        }
        float[] wIn = new float[vocab * dim];
        float[] wOut = new float[vocab * dim];
        for (int r = 0; r < vocab; r++) SgnsKernel.initInputRow(wIn, r, dim, rng);
        SgnsKernel kernel = new SgnsKernel(dim, k);
        float lr = 0.025f;

        System.out.println("row loops: " + KernelRows.describe());
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 3; round++) {
            double sink = 0;
            double[] nsPerPair = new double[3];
            for (int variant = 0; variant < 3; variant++) {
                SparseBatch sparse = new SparseBatch(dim, k);
                long pairsDone = 0, c0 = cpu.getCurrentThreadCpuTime();
                while (cpu.getCurrentThreadCpuTime() - c0 < 2_000_000_000L) {
                    for (int b = 0; b < batches; b++) {
                        if (variant == 0) {
                            sink += kernel.train(wIn, wOut, pairs[b], negs[b], lr);
                        } else if (variant == 1) {
                            sink += kernel.trainRows(wIn, wOut, pairs[b].centers(), pairs[b].contexts(), negs[b],
                                    pairs[b].size(), lr, 16);
                        } else {
                            sparse.plan(pairs[b], negs[b]);
                            sparse.input().pullFrom(wIn);
                            sparse.output().pullFrom(wOut);
                            sink += sparse.train(kernel, lr);
                            sparse.input().addDeltasTo(wIn);
                            sparse.output().addDeltasTo(wOut);
                        }
                    }
                    pairsDone += (long) batches * batch;
                }
                nsPerPair[variant] = (cpu.getCurrentThreadCpuTime() - c0) / (double) pairsDone;
            }
            // printing the loss keeps the work observable, so none of it can be optimised away
            System.out.printf("round %d, CPU per pair: in place %.0f ns | in place, loss of every 16th pair %.0f ns | "
                    + "sparse pull+train+push %.0f ns | loss sum %.3g%n", round, nsPerPair[0], nsPerPair[1],
                    nsPerPair[2], sink);
        }

        // The per-token front end: vocabulary lookup, subsampling, window.
        String[] dictionary = new String[vocab];
        for (int i = 0; i < vocab; i++) dictionary[i] = "w" + i;
        String[] stream = new String[1 << 20];
        for (int i = 0; i < stream.length; i++) stream[i] = dictionary[words.sample(rng)];
        Vocabulary v = new Vocabulary(2 * vocab);
        Subsampler sub = new Subsampler();
        WindowPairs window = new WindowPairs(5, 7);
        PairBuffer out = new PairBuffer(1 << 16);
        for (int round = 0; round < 3; round++) {
            long tokens = 0, emitted = 0, t0 = System.nanoTime();
            while (System.nanoTime() - t0 < 2_000_000_000L) {
                for (String w : stream) {
                    int id = v.observe(w);
                    if (id < 0 || !v.isTrainable(id) || !sub.keep(v.count(id), v.totalTokens(), rng)) continue;
                    window.add(id, out);
                    if (out.size() > 60_000) {
                        emitted += out.size();
                        out.clear();
                    }
                }
                tokens += stream.length;
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("front end round %d: %,.0f tokens/s (vocabulary+subsampling+window), %,.0f pairs/s emitted%n",
                    round, tokens / secs, emitted / secs);
        }
    }
}
