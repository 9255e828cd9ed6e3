package io.rill.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.rill.lstm.CharVocabulary;
import io.rill.wire.BinaryArrays;
import io.rill.lstm.LstmConfig;
import io.rill.lstm.LstmGradients;
import io.rill.lstm.LstmParams;
import io.rill.lstm.LstmSettings;
import io.rill.ps.ParameterServer;
import io.rill.skipgram.AliasTable;
import io.rill.skipgram.PairBuffer;
import io.rill.skipgram.SkipGramSettings;
import io.rill.skipgram.SparseBatch;
import io.rill.skipgram.SplitMix64;
import io.rill.state.StateFormat;
import io.rill.skipgram.VocabularyActor;
import io.rill.skipgram.VocabularyState;
import io.rill.skipgram.WindowPairs;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Bytes per update of the messages that carry the most numbers, as Akka's serializer writes them for another node,
 * against the 4 bytes a value of their numbers and against CBOR arrays of numbers (what Jackson writes for a plain
 * {@code float[]}: 5 bytes a float, 1 to 5 an int). Built from the default configuration (application.conf):
 *
 * <ul>
 *   <li>the names model's gradient push: its architecture, a vocabulary of 30 characters;</li>
 *   <li>a skip-gram worker's push to one of 2 shards (shards = 0 is one per core; 2 on the 2-core benchmark machine):
 *       one minibatch of {@code minibatch-pairs} pairs with {@code negatives} negatives each, planned as the worker
 *       plans it, from a stream of 12-word lines over a Zipf(1) vocabulary of 30,000 words that has seen enough text
 *       for every word to be trainable;</li>
 *   <li>the vocabulary actor's answer to an ingest batch of 2,000 such lines, with that vocabulary's negative table.</li>
 * </ul>
 *
 * <p>Prints a table, asserts nothing. Run from the repository root:
 * <pre>
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
 * java -cp "target/test-classes:target/classes:$(cat target/classpath.txt)" io.rill.cluster.WireSizes
 * </pre>
 */
public final class WireSizes {

    private static final int WORDS = 30_000;
    private static final int WORDS_PER_LINE = 12;
    private static final int LINES_PER_BATCH = 2_000;
    private static final int SHARDS = 2;

    private final ActorSystem<Void> system;
    private final Serialization serialization;
    private final CBORMapper plainCbor = new CBORMapper();

    private WireSizes(ActorSystem<Void> system) {
        this.system = system;
        this.serialization = SerializationExtension.get(system);
    }

    public static void main(String[] args) throws Exception {
        Config config = ConfigFactory.load();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "wire-sizes", config);
        try {
            new WireSizes(system).run(config);
        } finally {
            system.terminate();
        }
    }

    private void run(Config config) throws JsonProcessingException {
        System.out.printf("%-44s %12s %12s %9s %14s %9s%n", "message", "serialized", "as 4-byte", "overhead",
                "CBOR numbers", "saved");

        LstmConfig architecture = LstmSettings.from(config).architecture();
        LstmParams params = LstmParams.initialize(architecture, 30, 1);
        LstmGradients gradients = LstmGradients.zerosLike(params);
        Random random = new Random(2);
        for (INDArray tensor : gradients.tensors()) {
            for (long i = 0; i < tensor.length(); i++) tensor.putScalar(i, 1e-3 * random.nextGaussian());
        }
        long lstmNaive = 0;
        for (INDArray tensor : gradients.tensors()) lstmNaive += cborBytes(tensor.data().asFloat());
        row("ParameterServer.Push (LSTM E 64, H 256, V 30)", new ParameterServer.Push(gradients.tensors(), 41, 2048,
                        2.1), 4L * gradients.size(), byteString(gradients.tensors().toWireBytes().length), lstmNaive);
        ParameterServer.Snapshot snapshot = new ParameterServer.Snapshot("names", params.tensors(), 41, 1 << 20);
        long snapshotNaive = 0;
        for (INDArray tensor : params.tensors()) snapshotNaive += cborBytes(tensor.data().asFloat());
        row("ParameterServer.Snapshot (LSTM pull)", snapshot, 4L * params.size(),
                byteString(params.tensors().toWireBytes().length), snapshotNaive);

        SkipGramSettings skipGram = SkipGramSettings.from(config);
        VocabularyState vocabulary = new VocabularyState(skipGram);
        ZipfWords words = new ZipfWords(WORDS, 3);
        VocabularyState.Observation batch = null;
        while (vocabulary.vocabulary().trainableCount() < WORDS * 0.995) {
            batch = vocabulary.observe(words.lines(LINES_PER_BATCH, WORDS_PER_LINE));
        }
        VocabularyActor.Observed observed = new VocabularyActor.Observed(batch.lines(), vocabulary.negatives(),
                vocabulary.learningRate());
        long ids = batch.lines().stream().mapToLong(line -> line.length).sum();
        AliasTable table = observed.negatives();
        int[] slotInts = new int[3 * table.size()]; // {threshold, id, alias} per slot, after writeTo's 5-byte header
        ByteBuffer.wrap(StateFormat.toBytes(table::writeTo), 5, 4 * slotInts.length).asIntBuffer().get(slotInts);
        row("VocabularyActor.Observed (" + table.size() + " words)", observed, 4L * (ids + slotInts.length),
                byteString(BinaryArrays.varintBytes(batch.lines()).length) + byteString(table.toWireBytes().length),
                cborBytes(batch.lines()) + cborBytes(slotInts));

        PairBuffer pairs = new PairBuffer();
        WindowPairs windows = new WindowPairs(skipGram.window(), 4);
        while (pairs.size() < skipGram.minibatchPairs()) {
            for (int[] line : vocabulary.observe(words.lines(LINES_PER_BATCH, WORDS_PER_LINE)).lines()) {
                windows.add(line, 0, line.length, pairs);
                windows.endDocument(pairs);
            }
        }
        PairBuffer minibatch = new PairBuffer();
        for (int i = 0; i < skipGram.minibatchPairs(); i++) minibatch.add(pairs.center(i), pairs.context(i));
        int[] negatives = new int[minibatch.size() * skipGram.negatives()];
        SplitMix64 draws = new SplitMix64(5);
        for (int j = 0; j < negatives.length; j++) negatives[j] = vocabulary.negatives().sample(draws);
        SparseBatch planned = new SparseBatch(skipGram.dimension(), skipGram.negatives());
        planned.plan(minibatch, negatives);
        int[] inIds = ofShard(Arrays.copyOf(planned.input().ids(), planned.input().size()));
        int[] outIds = ofShard(Arrays.copyOf(planned.output().ids(), planned.output().size()));
        int dim = skipGram.dimension();
        float[] inDeltas = gaussian(inIds.length * dim, 6);
        float[] outDeltas = gaussian(outIds.length * dim, 7);
        long floats = 4L * (inDeltas.length + outDeltas.length);
        long idBytes = BinaryArrays.varintBytes(inIds).length + BinaryArrays.varintBytes(outIds).length;
        String shape = " (" + inIds.length + " + " + outIds.length + " rows)";
        row("ParameterServer.PushRows" + shape, new ParameterServer.PushRows(List.of(inIds, outIds),
                        List.of(inDeltas, outDeltas), minibatch.size(), 12, system.deadLetters()),
                floats + 4L * (inIds.length + outIds.length),
                byteString(BinaryArrays.floatArraysBytes(List.of(inDeltas, outDeltas)).length)
                        + byteString(BinaryArrays.varintBytes(List.of(inIds, outIds)).length),
                cborBytes(inDeltas) + cborBytes(outDeltas) + cborBytes(inIds) + cborBytes(outIds));
        row("ParameterServer.Rows" + shape, new ParameterServer.Rows(List.of(inDeltas, outDeltas), 12), floats,
                byteString(BinaryArrays.floatArraysBytes(List.of(inDeltas, outDeltas)).length),
                cborBytes(inDeltas) + cborBytes(outDeltas));

        int pushIds = inIds.length + outIds.length;
        System.out.printf("%nas 4-byte: the message's numbers at 4 bytes each (float32, or int32 for ids and alias slots)."
                + "%noverhead: serialized bytes beyond that. CBOR numbers: the same message with its numeric payloads"
                + " as CBOR arrays of numbers; saved: what the byte strings save on that.%n"
                + "shard push: %d pairs, %d negatives each, dimension %d, %d shards; its ids take %.2f bytes each as"
                + " varints, %.2f as zig-zag varints, %.2f as CBOR numbers.%n"
                + "Observed: %d lines, %d kept ids at %.2f bytes each; its table takes %.2f bytes a slot (writeTo: %.2f,"
                + " CBOR numbers: %.2f).%n",
                skipGram.minibatchPairs(), skipGram.negatives(), dim, SHARDS, (double) idBytes / pushIds,
                (double) (zigZagBytes(inIds) + zigZagBytes(outIds)) / pushIds,
                (double) (cborBytes(inIds) + cborBytes(outIds)) / pushIds,
                batch.lines().size(), ids, (double) BinaryArrays.varintBytes(batch.lines()).length / ids,
                (double) table.toWireBytes().length / table.size(),
                (double) StateFormat.toBytes(table::writeTo).length / table.size(), (double) cborBytes(slotInts) / table.size());
    }

    /** Bytes of the values as zig-zag varints, 7 bits a byte. */
    private static long zigZagBytes(int[] values) {
        long bytes = 0;
        for (int value : values) {
            int zigZag = (value << 1) ^ (value >> 31);
            bytes += (32 - Integer.numberOfLeadingZeros(zigZag | 1) + 6) / 7;
        }
        return bytes;
    }

    /** Prints a message's size; {@code payload} is the byte strings in it, replaced by {@code naive} for the CBOR column. */
    private void row(String name, Object message, long asFourBytes, long payload, long naive) {
        long serialized = serialization.serialize(message).get().length;
        long cborNumbers = serialized - payload + naive;
        System.out.printf("%-44s %,12d %,12d %8.1f%% %,14d %8.1f%%%n", name, serialized, asFourBytes,
                100.0 * (serialized - asFourBytes) / asFourBytes, cborNumbers,
                100.0 * (cborNumbers - serialized) / cborNumbers);
    }

    /** A CBOR byte string of {@code length} bytes: its header and the bytes. */
    private static long byteString(long length) {
        return length + (length < 24 ? 1 : length < 256 ? 2 : length < 65_536 ? 3 : 5);
    }

    private long cborBytes(Object value) throws JsonProcessingException {
        return plainCbor.writeValueAsBytes(value).length;
    }

    private static int[] ofShard(int[] ids) {
        return Arrays.stream(ids).filter(id -> id % SHARDS == 0).toArray();
    }

    private static float[] gaussian(int n, long seed) {
        Random random = new Random(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) values[i] = (float) (1e-3 * random.nextGaussian());
        return values;
    }

    /** Words of a Zipf(1) distribution over {@code size} words: word r is drawn with probability ∝ 1/r. */
    private static final class ZipfWords {
        private final double[] cumulative;
        private final SplittableRandom random;

        ZipfWords(int size, long seed) {
            cumulative = new double[size];
            double sum = 0;
            for (int r = 0; r < size; r++) cumulative[r] = sum += 1.0 / (r + 1);
            for (int r = 0; r < size; r++) cumulative[r] /= sum;
            random = new SplittableRandom(seed);
        }

        List<String[]> lines(int count, int length) {
            List<String[]> lines = new ArrayList<>(count);
            for (int l = 0; l < count; l++) {
                String[] line = new String[length];
                for (int w = 0; w < length; w++) {
                    int r = Arrays.binarySearch(cumulative, random.nextDouble());
                    line[w] = "w" + (r < 0 ? -r - 1 : r);
                }
                lines.add(line);
            }
            return lines;
        }
    }
}
