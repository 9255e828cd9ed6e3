package io.rill.loadtest;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.typesafe.config.Config;
import io.rill.generate.GenerationSettings;
import io.rill.lstm.CharVocabulary;
import io.rill.lstm.LstmGradients;
import io.rill.lstm.LstmParams;
import io.rill.lstm.LstmSettings;
import io.rill.lstm.SeenSequences;
import io.rill.nn.Adam;
import io.rill.nn.GradientClipping;
import io.rill.ps.CharModelServer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * What one parameter update costs between nodes, measured in this JVM with rill's own classes at the run's sizes:
 * the serialized size of a gradient push, of the snapshot a worker's pull returns and of the snapshot with data a
 * generator's refresh returns (Akka's {@link SerializationExtension}, which is what Artery calls for a message to
 * another node), the time to serialize and deserialize each, and the parameter server's own work per message: clip
 * and apply a gradient (Adam), copy the parameters for a pull. Nothing here talks to a node.
 */
final class WireCosts {

    /**
     * The figures. Bytes are the serialized message; Artery adds its envelope (tens of bytes). Times are means in
     * milliseconds over {@code iterations} after as many untimed ones.
     *
     * @param parameters   floats in the model (parameters and gradients alike)
     * @param vocabulary   characters the model was sized for (end-of-sequence included)
     * @param pushBytes    {@code CharModelServer.Push}: one chunk's gradient
     * @param pullBytes    {@code CharModelServer.Snapshot} without data: what a worker's pull returns
     * @param dataPullBytes the snapshot with the seen set and held-out lines: a generator's refresh, a progress report
     * @param seenBytes    the seen set's Bloom filter alone (its size is fixed by rill.generate.seen-sequences)
     * @param heldOutUnits held-out units in the data snapshot
     * @param applyMillis  the server's work on a push: global-norm clipping (with scaling) and Adam's step
     * @param pullCopyMillis      the server's work on a pull: copying parameters and vocabulary
     * @param dataPullCopyMillis  the same with the seen set and the held-out list
     */
    record Costs(long parameters, int vocabulary, long pushBytes, long pullBytes, long dataPullBytes, long seenBytes,
                 int heldOutUnits, int iterations, double applyMillis, double pullCopyMillis, double dataPullCopyMillis,
                 double pushSerializeMillis, double pushDeserializeMillis, double pullSerializeMillis,
                 double pullDeserializeMillis, double dataPullSerializeMillis, double dataPullDeserializeMillis) {
    }

    private WireCosts() {
    }

    /**
     * Measures with the sizes of {@code config} (a node's configuration as the nodes of the run have it), a vocabulary
     * of the characters of {@code names}, a seen set holding them all, and held-out units picked from them at the
     * configured rate (one in {@code held-out.every}, up to {@code max-lines}; the node picks by a hash of the line,
     * which gives units of the same lengths on average).
     */
    static Costs measure(Config config, List<String> names, int iterations) throws Exception {
        LstmSettings lstm = LstmSettings.from(config);
        GenerationSettings generation = GenerationSettings.from(config);
        CharVocabulary vocabulary = CharVocabulary.ofSortedCharacters(names.stream().collect(Collectors.joining()));
        LstmParams params = LstmParams.initialize(lstm.architecture(), vocabulary.size(), lstm.seed());
        LstmGradients gradients = LstmGradients.zerosLike(params);
        Random random = new Random(2);
        for (INDArray tensor : gradients.tensors()) {
            for (long i = 0; i < tensor.length(); i++) {
                tensor.putScalar(i, 0.05 * random.nextGaussian()); // a norm well above the clip bound
            }
        }
        SeenSequences seen = new SeenSequences(generation.seenExpected(), generation.seenFalsePositiveRate());
        names.forEach(seen::add);
        List<int[]> heldOut = new ArrayList<>();
        if (lstm.heldOutEvery() > 0) {
            for (int i = 0; i < names.size() && heldOut.size() < lstm.heldOutMaxLines(); i += lstm.heldOutEvery()) {
                int[] ids = vocabulary.encode(names.get(i));
                int[] unit = java.util.Arrays.copyOf(ids, ids.length + 1); // ends with end-of-sequence (id 0)
                heldOut.add(unit);
            }
        }
        List<int[]> heldOutList = List.copyOf(heldOut);

        CharModelServer.Push push = new CharModelServer.Push(gradients, 41, lstm.lanesPerStream() * lstm.bpttSteps(),
                2.1);
        CharModelServer.Snapshot pull = new CharModelServer.Snapshot("names", params, vocabulary, 41, 1 << 20, null,
                null);
        CharModelServer.Snapshot dataPull = new CharModelServer.Snapshot("names", params, vocabulary, 41, 1 << 20, seen,
                heldOutList);

        // The server's own work. Clipping scales every time here (each push is doubled, untimed, before it is
        // clipped back), the dearer case: early in training most gradients are above the bound.
        Adam adam = new Adam(params.tensors(), lstm.learningRate(), 0.9, 0.999, 1e-8);
        double apply = timed(iterations, () -> gradients.scale(2.0), () -> {
            GradientClipping.clipGlobalNorm(gradients.tensors(), lstm.gradientClip());
            adam.step(params.tensors(), gradients.tensors());
        });
        double pullCopy = timed(iterations, null, () -> {
            params.copy();
            vocabulary.copy();
        });
        double dataPullCopy = timed(iterations, null, () -> {
            params.copy();
            vocabulary.copy();
            seen.copy();
            List.copyOf(heldOutList);
        });

        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "cluster-bench-costs", config);
        try {
            Serialization serialization = SerializationExtension.get(system);
            Wire pushWire = wire(serialization, push, iterations);
            Wire pullWire = wire(serialization, pull, iterations);
            Wire dataWire = wire(serialization, dataPull, iterations);
            return new Costs(params.size(), vocabulary.size(), pushWire.bytes(), pullWire.bytes(), dataWire.bytes(),
                    seen.bytes(), heldOutList.size(), iterations, apply, pullCopy, dataPullCopy,
                    pushWire.serializeMillis(), pushWire.deserializeMillis(), pullWire.serializeMillis(),
                    pullWire.deserializeMillis(), dataWire.serializeMillis(), dataWire.deserializeMillis());
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private record Wire(long bytes, double serializeMillis, double deserializeMillis) {
    }

    /** A message's serialized size and the mean time to serialize and to deserialize it, as Artery does. */
    private static Wire wire(Serialization serialization, Object message, int iterations) {
        Serializer serializer = serialization.findSerializerFor(message);
        String manifest = Serializers.manifestFor(serializer, message);
        byte[] bytes = serialization.serialize(message).get();
        Object back = serialization.deserialize(bytes, serializer.identifier(), manifest).get();
        if (back.getClass() != message.getClass()) {
            throw new IllegalStateException(message.getClass().getSimpleName() + " came back as " + back.getClass());
        }
        double serialize = timed(iterations, null, () -> serialization.serialize(message).get());
        double deserialize = timed(iterations, null,
                () -> serialization.deserialize(bytes, serializer.identifier(), manifest).get());
        return new Wire(bytes.length, serialize, deserialize);
    }

    /**
     * Mean milliseconds of {@code work} over {@code iterations} runs, after as many untimed ones (the JIT compiles the
     * loops first); {@code untimed} runs before each, outside the clock.
     */
    private static double timed(int iterations, Runnable untimed, Runnable work) {
        long total = 0;
        for (int i = 0; i < 2 * iterations; i++) {
            if (untimed != null) {
                untimed.run();
            }
            long start = System.nanoTime();
            work.run();
            if (i >= iterations) {
                total += System.nanoTime() - start;
            }
        }
        return total / 1e6 / iterations;
    }
}
