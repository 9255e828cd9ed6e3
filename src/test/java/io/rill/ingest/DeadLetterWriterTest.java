package io.rill.ingest;

import io.rill.text.Decoded;
import io.rill.text.RejectReason;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLetterWriterTest {

    @Test
    void aDeadLetterKeepsKeyValueAndHeadersAndAddsWhereFromAndWhy() {
        RecordHeaders original = new RecordHeaders();
        original.add("trace-id", "t-1".getBytes(StandardCharsets.UTF_8));
        byte[] value = {'a', (byte) 0xC3};
        ConsumerRecord<byte[], byte[]> source = new ConsumerRecord<>("rill.text.corpus", 1, 42L, 1700000000000L,
                TimestampType.CREATE_TIME, 1, value.length, "k".getBytes(StandardCharsets.UTF_8), value, original,
                Optional.empty());
        DeadLetterWriter writer = new DeadLetterWriter(null, "rill.deadletter");
        ProducerRecord<byte[], byte[]> dead = writer.toDeadLetter(source,
                new Decoded.Rejected(RejectReason.MALFORMED_UTF8, "malformed UTF-8 at byte 1"));
        assertThat(dead.topic()).isEqualTo("rill.deadletter");
        assertThat(dead.key()).isEqualTo("k".getBytes(StandardCharsets.UTF_8));
        assertThat(dead.value()).isEqualTo(value);
        assertThat(header(dead, "trace-id")).isEqualTo("t-1");
        assertThat(header(dead, DeadLetterWriter.SOURCE_TOPIC)).isEqualTo("rill.text.corpus");
        assertThat(header(dead, DeadLetterWriter.SOURCE_PARTITION)).isEqualTo("1");
        assertThat(header(dead, DeadLetterWriter.SOURCE_OFFSET)).isEqualTo("42");
        assertThat(header(dead, DeadLetterWriter.SOURCE_TIMESTAMP)).isEqualTo("1700000000000");
        assertThat(header(dead, DeadLetterWriter.REASON)).isEqualTo("malformed-utf8");
        assertThat(header(dead, DeadLetterWriter.DETAIL)).isEqualTo("malformed UTF-8 at byte 1");
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String key) {
        return new String(record.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
