package io.rill.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import akka.serialization.jackson.JacksonCborSerializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.typesafe.config.ConfigFactory;
import io.rill.lstm.CharVocabulary;
import io.rill.lstm.LstmConfig;
import io.rill.lstm.LstmGradients;
import io.rill.lstm.LstmParams;
import io.rill.lstm.LstmTensors;
import io.rill.lstm.SeenSequences;
import io.rill.nn.CellType;
import io.rill.lstm.CharModelData;
import io.rill.nn.Tensors;
import io.rill.ps.ParameterServer;
import io.rill.skipgram.AliasTable;
import io.rill.skipgram.SplitMix64;
import io.rill.skipgram.VocabularyActor;
import io.rill.wire.BinaryArrays;
import io.rill.wire.CborSerializable;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every message of the parameter servers and the vocabulary goes through Akka's Jackson CBOR serializer, as it will
 * between cluster nodes, and comes back equal; numeric payloads travel as byte strings; damaged bytes are refused
 * with an exception, never an out-of-memory error.
 */
class MessageSerializationTest {

    // application.conf itself: its serialization binding is what is under test (create() alone reads only
    // application-test.conf)
    private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());
    private static final Serialization serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static <T> ActorRef<T> ref() {
        return testKit.<T>createTestProbe().getRef();
    }

    private static float[] floats(int n, long seed) {
        Random random = new Random(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) values[i] = (float) random.nextGaussian();
        return values;
    }

    private static <T extends LstmTensors> T randomized(T tensors, long seed) {
        Random random = new Random(seed);
        for (INDArray tensor : tensors.tensors()) {
            for (long i = 0; i < tensor.length(); i++) tensor.putScalar(i, random.nextGaussian());
        }
        return tensors;
    }

    private static SeenSequences seen() {
        SeenSequences seen = new SeenSequences(1000, 0.01);
        for (String name : List.of("anna", "bob", "carl")) seen.add(name);
        return seen;
    }

    private static AliasTable aliasTable(int words) {
        int[] ids = new int[words];
        double[] weights = new double[words];
        for (int i = 0; i < words; i++) {
            ids[i] = 3 * i + 1;
            weights[i] = Math.pow(1000.0 / (i + 1), 0.75);
        }
        return AliasTable.build(ids, weights, words);
    }

    /** One example of every message of the three protocols, commands and replies. */
    private static List<Object> examples() {
        LstmConfig small = LstmConfig.lstm(4, 8);
        // two layers and dropout: the whole set of tensors must travel for the server's shape check to accept it
        LstmConfig deep = new LstmConfig(CellType.RNN, 3, 5, 2, 0.25, DataType.FLOAT);
        LstmParams params = LstmParams.initialize(small, 6, 7);
        CharVocabulary vocabulary = CharVocabulary.ofSortedCharacters("anna bob é\uD83D\uDE00");
        List<int[]> heldOut = List.of(new int[] {1, 2, 0}, new int[0], new int[] {5, 300, 70_000, 0});
        int dim = 3;
        return List.of(
                new CharModelData.Encode(new int[] {'a', 'é', 0x1F600, 0}, ref()),
                new CharModelData.Encoded(new int[] {'a', 'é'}, new int[] {1, -1}),
                new CharModelData.Observe(List.of("anna", "", "bob é"), heldOut),
                new CharModelData.GetData(true, ref()),
                new CharModelData.Data(vocabulary, seen(), heldOut),
                new CharModelData.Data(vocabulary, null, List.of()),
                new CharModelData.ExportState(ref()),
                new CharModelData.ExportedState(new byte[] {1, 2, 3, -1}),
                new CharModelData.SaveState(),
                new CharModelData.SaveAndStop(),
                new ParameterServer.Push(randomized(LstmGradients.zerosLike(LstmParams.initialize(deep, 5, 1)), 2)
                        .tensors(), 17, 64, 2.5),
                new ParameterServer.Push(randomized(LstmGradients.zerosLike(params), 3).tensors(), 0, 1, 0.0),
                new ParameterServer.Pull(ref()),
                new ParameterServer.Pull(ref(), params.tensors()),
                new ParameterServer.Snapshot("names", params.tensors(), 9, 1234),
                new ParameterServer.Grow("vocabulary", 7),
                new ParameterServer.PullRows(List.of(new int[] {4, 0, 200_000}, new int[] {6}), ref()),
                new ParameterServer.Rows(List.of(floats(3 * dim, 1), floats(dim, 2)), 5),
                new ParameterServer.PushRows(List.of(new int[] {4, 0, 200_000}, new int[] {6}),
                        List.of(floats(3 * dim, 3), floats(dim, 4)), 3, 5, ref()),
                new ParameterServer.PushRows(List.of(new int[0], new int[0]), List.of(new float[0], new float[0]), 0,
                        0, ref()),
                new ParameterServer.RowsPushed(true, 6),
                new ParameterServer.RowsBelow(0, 100, ref()),
                new ParameterServer.SetLearningRate(1e-3),
                new ParameterServer.Subscribe(ref()),
                new ParameterServer.ExportState(ref()),
                new ParameterServer.ExportedState(new byte[0]),
                new ParameterServer.SaveState(),
                new ParameterServer.SaveAndStop(),
                new VocabularyActor.Observe(List.of(new String[] {"the", "cat"}, new String[0], new String[] {"é"}),
                        ref()),
                new VocabularyActor.Observed(heldOut, aliasTable(50), 0.025f),
                new VocabularyActor.Observed(List.of(), AliasTable.EMPTY, 0.001f),
                new VocabularyActor.GetWords(ref()),
                new VocabularyActor.Words(new String[] {"the", null, "cat"}, new long[] {1L << 40, 0, 5}, 1L << 41),
                new VocabularyActor.SetLearningRate(0.01f),
                new VocabularyActor.ExportState(ref()),
                new VocabularyActor.ExportedState(new byte[] {9}),
                new VocabularyActor.SaveState(),
                new VocabularyActor.SaveAndStop());
    }

    private static Serializer serializerFor(Object message) {
        return serialization.findSerializerFor(message);
    }

    /** Through the extension, which gives the serializer the system to write ActorRefs with, as remoting does. */
    private static byte[] serialize(Object message) {
        return serialization.serialize(message).get();
    }

    private static Object deserialize(byte[] bytes, Object like) {
        Serializer serializer = serializerFor(like);
        return serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, like))
                .get();
    }

    @Test
    void theExamplesCoverEveryMessageOfTheThreeProtocols() {
        Set<Class<?>> messages = Stream.of(CharModelData.class, ParameterServer.class, VocabularyActor.class)
                .flatMap(actor -> Arrays.stream(actor.getDeclaredClasses()))
                .filter(Class::isRecord)
                .collect(Collectors.toSet());
        assertThat(examples().stream().map(Object::getClass).collect(Collectors.toSet())).isEqualTo(messages);
    }

    @Test
    void everyMessageGoesThroughJacksonCborAndComesBackEqual() {
        for (Object message : examples()) {
            assertThat(message).isInstanceOf(CborSerializable.class);
            assertThat(serializerFor(message)).as(message.getClass().getName())
                    .isInstanceOf(JacksonCborSerializer.class);
            Object copy = deserialize(serialize(message), message);
            assertThat(copy).isNotSameAs(message).hasSameClassAs(message);
            assertSameMessage(copy, message);
        }
    }

    /** Arrays a worker lends a shard on its own node to copy rows into are not sent to another node. */
    @Test
    void lentArraysStayOnTheirNode() throws Exception {
        ParameterServer.PullRows pull = new ParameterServer.PullRows(List.of(new int[] {4, 9}, new int[] {6}),
                List.of(new float[200], new float[100]), ref());
        byte[] bytes = serialize(pull);
        assertThat(bytes.length).isLessThan(4 * 100);
        ParameterServer.PullRows copy = (ParameterServer.PullRows) deserialize(bytes, pull);
        assertThat(copy.into()).isNull();
        assertThat(copy.ids()).containsExactly(new int[] {4, 9}, new int[] {6});
        assertThat(copy.replyTo()).isEqualTo(pull.replyTo());
    }

    @Test
    void numericPayloadsTravelAsByteStringsNotAsArraysOfNumbers() throws Exception {
        CBORMapper cbor = new CBORMapper();
        float[] deltas = floats(600, 6);
        JsonNode push = cbor.readTree(serialize(new ParameterServer.PushRows(List.of(new int[] {1, 2},
                new int[] {3, 300}), List.of(deltas, floats(300, 7)), 2, 1, ref())));
        assertThat(push.get("ids").isBinary()).isTrue();
        // two arrays: 2 ids (1, 2), then 2 ids (3, 300 as 0xAC 0x02)
        assertThat(push.get("ids").binaryValue()).containsExactly(2, 2, 1, 2, 2, 3, 0xAC, 0x02);
        byte[] deltaBytes = push.get("deltas").binaryValue();
        assertThat(Arrays.copyOfRange(deltaBytes, 5, 5 + 4 * 600)).isEqualTo(BinaryArrays.floatBytes(deltas));
        assertThat(deltaBytes).hasSize(5 + 4 * 900); // count and two lengths as varints, then the float32s

        LstmGradients gradients = randomized(LstmGradients.zerosLike(LstmParams.initialize(LstmConfig.lstm(4, 8), 6,
                7)), 8);
        JsonNode gradientPush = cbor.readTree(serialize(new ParameterServer.Push(gradients.tensors(), 1, 2, 3.0)));
        assertThat(gradientPush.get("gradients").binaryValue()).isEqualTo(gradients.tensors().toWireBytes())
                .hasSizeGreaterThan(4 * (int) gradients.size());

        JsonNode observed = cbor.readTree(serialize(new VocabularyActor.Observed(List.of(new int[] {1}), aliasTable(3),
                0.1f)));
        assertThat(observed.get("lines").isBinary()).isTrue();
        assertThat(observed.get("negatives").isBinary()).isTrue();
        assertThat(cbor.readTree(serialize(new VocabularyActor.Words(new String[] {"a"}, new long[] {7}, 7)))
                .get("counts").isBinary()).isTrue();
    }

    @Test
    void truncatedOrCorruptedMessagesAreRefusedWithAnExceptionNeverAnError() {
        SplittableRandom random = new SplittableRandom(11);
        for (Object message : examples()) {
            byte[] bytes = serialize(message);
            for (int length : new int[] {0, 1, bytes.length / 3, bytes.length / 2, bytes.length - 1}) {
                byte[] truncated = Arrays.copyOf(bytes, length);
                assertThatThrownBy(() -> deserialize(truncated, message)).as(message + " cut to " + length)
                        .isInstanceOf(Exception.class);
            }
            for (int trial = 0; trial < 200; trial++) {
                byte[] corrupted = bytes.clone();
                for (int i = 1 + random.nextInt(3); i > 0; i--) {
                    corrupted[random.nextInt(corrupted.length)] = (byte) random.nextInt(256);
                }
                try {
                    deserialize(corrupted, message); // a changed float or letter is still a message
                } catch (Exception refused) {
                    // what a reader should do with damage it can see
                } catch (Error e) {
                    fail("corrupted " + message.getClass().getName() + " threw " + e, e);
                }
            }
        }
    }

    @Test
    void damagedSizesInsideTheWireFormsAreRefusedBeforeAnythingIsAllocated() {
        LstmGradients gradients = LstmGradients.zerosLike(LstmParams.initialize(LstmConfig.lstm(4, 8), 6, 7));
        ParameterServer.Push push = new ParameterServer.Push(gradients.tensors(), 1, 2, 3.0);
        byte[] bytes = serialize(push);
        int at = indexOf(bytes, gradients.tensors().toWireBytes());
        // the wire form: version (1), type (1), count (4), then "embedding" (2 + 9), rows growth (1), "vocabulary"
        // (2 + 10), rows (4), columns (4), ...
        byte[] hugeVocabulary = bytes.clone();
        ByteBuffer.wrap(hugeVocabulary).putInt(at + 30, 1_000_000);
        assertThatThrownBy(() -> deserialize(hugeVocabulary, push))
                .hasStackTraceContaining("group vocabulary has size 1000000");
        byte[] hugeEmbedding = bytes.clone();
        ByteBuffer.wrap(hugeEmbedding).putInt(at + 34, Integer.MAX_VALUE - 8);
        assertThatThrownBy(() -> deserialize(hugeEmbedding, push)).hasStackTraceContaining("more than 2147483639 values");
        byte[] noType = bytes.clone();
        noType[at + 1] = 7;
        assertThatThrownBy(() -> deserialize(noType, push)).hasStackTraceContaining("data type code 7");

        // a CBOR byte string that claims 2 GiB and holds 8 bytes: Jackson reads what arrives, it does not allocate
        ParameterServer.Rows pulled = new ParameterServer.Rows(List.of(), 0);
        byte[] claims2GiB = {(byte) 0xBF, 0x64, 'r', 'o', 'w', 's', 0x5A, 0x7F, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xF0, 1, 2, 3, 4, 5, 6, 7, 8};
        assertThatThrownBy(() -> deserialize(claims2GiB, pulled)).hasMessageContaining("expected 2147483632 bytes");

        // a seen set claiming 2^31 bits (256 MiB) but carrying a few words
        byte[] seen = seen().toWireBytes();
        ByteBuffer.wrap(seen).putLong(4, 1L << 31);
        assertThatThrownBy(() -> SeenSequences.fromWireBytes(seen)).hasMessageContaining("bit count 2147483648");

        byte[] table = aliasTable(4).toWireBytes();
        assertThatThrownBy(() -> AliasTable.fromWireBytes(Arrays.copyOf(table, table.length - 1)))
                .isInstanceOf(IOException.class);
        // one slot: id 5 (zig-zag 10), alias 0, threshold 2^24 + 1 (varint 0x81 0x80 0x80 0x08)
        assertThatThrownBy(() -> AliasTable.fromWireBytes(new byte[] {1, 10, 0, (byte) 0x81, (byte) 0x80,
                (byte) 0x80, 0x08})).hasMessageContaining("threshold 16777217");
        byte[] vocabulary = new CharVocabulary().toWireBytes();
        ByteBuffer.wrap(vocabulary).putInt(4, 1 << 20);
        assertThatThrownBy(() -> CharVocabulary.fromWireBytes(vocabulary)).hasMessageContaining("truncated");
        assertThatThrownBy(() -> CharVocabulary.fromWireBytes(Arrays.copyOf(new CharVocabulary().toWireBytes(), 20)))
                .hasMessageContaining("bytes left over");

        assertThatThrownBy(() -> BinaryArrays.intArraysOf(new byte[] {(byte) 0xFF, (byte) 0xFF, 0x7F, 1}))
                .hasMessageContaining("count 2097151");
        assertThatThrownBy(() -> BinaryArrays.floatsOf(new byte[7])).hasMessageContaining("not whole float32");
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        for (int i = 0; i + part.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) return i;
        }
        throw new AssertionError("not found");
    }

    /** Record components one by one: arrays by content, tensors by their values, the domain classes by behaviour. */
    private static void assertSameMessage(Object copy, Object original) {
        for (RecordComponent component : original.getClass().getRecordComponents()) {
            try {
                assertSameValue(component.getAccessor().invoke(copy), component.getAccessor().invoke(original),
                        original.getClass().getSimpleName() + "." + component.getName());
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static void assertSameValue(Object copy, Object original, String what) {
        if (original == null) {
            assertThat(copy).as(what).isNull();
        } else if (original instanceof Tensors tensors) {
            Tensors copied = (Tensors) copy;
            assertThat(copied.specs()).as(what).isEqualTo(tensors.specs());
            assertThat(copied.dataType()).as(what).isEqualTo(tensors.dataType());
            for (int k = 0; k < tensors.count(); k++) {
                assertThat(copied.get(k).toFloatMatrix()).as(what + " " + tensors.names().get(k))
                        .isEqualTo(tensors.get(k).toFloatMatrix());
            }
        } else if (original instanceof LstmTensors tensors) {
            LstmTensors copied = (LstmTensors) copy;
            assertThat(copied).as(what).hasSameClassAs(tensors);
            assertThat(copied.config()).as(what).isEqualTo(tensors.config());
            assertThat(copied.vocabularySize()).as(what).isEqualTo(tensors.vocabularySize());
            for (int k = 0; k < tensors.tensors().count(); k++) {
                INDArray expected = tensors.tensors().get(k);
                INDArray actual = copied.tensors().get(k);
                assertThat(actual.shape()).as(what).isEqualTo(expected.shape());
                assertThat(actual.dataType()).as(what).isEqualTo(expected.dataType());
                assertThat(actual.toFloatMatrix()).as(what + " " + tensors.names().get(k))
                        .isEqualTo(expected.toFloatMatrix());
            }
        } else if (original instanceof CharVocabulary vocabulary) {
            CharVocabulary copied = (CharVocabulary) copy;
            assertThat(copied.size()).as(what).isEqualTo(vocabulary.size());
            for (int id = 0; id < vocabulary.size(); id++) {
                assertThat(copied.codePoint(id)).as(what + " id " + id).isEqualTo(vocabulary.codePoint(id));
            }
        } else if (original instanceof SeenSequences seen) {
            SeenSequences copied = (SeenSequences) copy;
            assertThat(List.of(copied.bits(), copied.hashes(), copied.count()))
                    .as(what).isEqualTo(List.of(seen.bits(), seen.hashes(), seen.count()));
            assertThat(copied.mightContain("anna") && copied.mightContain("carl")).as(what).isTrue();
            assertThat(copied.toWireBytes()).as(what).isEqualTo(seen.toWireBytes());
        } else if (original instanceof AliasTable table) {
            AliasTable copied = (AliasTable) copy;
            assertThat(copied.size()).as(what).isEqualTo(table.size());
            SplitMix64 a = new SplitMix64(5);
            SplitMix64 b = new SplitMix64(5);
            for (int i = 0; i < 1000; i++) {
                assertThat(copied.sample(a)).as(what + " draw " + i).isEqualTo(table.sample(b));
            }
            assertThat(copied.toWireBytes()).as(what).isEqualTo(table.toWireBytes());
        } else if (original instanceof List<?> list) {
            assertThat((List<?>) copy).as(what).hasSameSizeAs(list);
            for (int i = 0; i < list.size(); i++) {
                assertSameValue(((List<?>) copy).get(i), list.get(i), what + "[" + i + "]");
            }
        } else {
            // arrays by content (AssertJ compares them deeply), records and ActorRefs by equals
            assertThat(copy).as(what).isEqualTo(original);
        }
    }
}
