package io.rill.ingest;

import io.rill.learn.LineRejects;
import akka.kafka.javadsl.SendProducer;
import io.rill.text.Decoded;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Writes refused records to the dead-letter topic, byte for byte as they arrived (key, value, original headers),
 * plus headers that say where each came from and why it was refused. The stream commits a refused record's offset
 * only after the broker has acknowledged its dead-letter copy, so a refused record is never lost either.
 */
public final class DeadLetterWriter {

    public static final String SOURCE_TOPIC = "rill.source.topic";
    public static final String SOURCE_PARTITION = "rill.source.partition";
    public static final String SOURCE_OFFSET = "rill.source.offset";
    public static final String SOURCE_TIMESTAMP = "rill.source.timestamp";
    public static final String REASON = "rill.error.reason";
    public static final String DETAIL = "rill.error.detail";
    /** On a refused line (of a record otherwise used): the line's number in its record, from 0. */
    public static final String SOURCE_LINE = "rill.source.line";

    private static final Logger log = LoggerFactory.getLogger(DeadLetterWriter.class);

    private final SendProducer<byte[], byte[]> producer;
    private final String topic;

    public DeadLetterWriter(SendProducer<byte[], byte[]> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /** A refused record and the reason it was refused. */
    public record Refused(ConsumerRecord<byte[], byte[]> record, Decoded.Rejected rejection) {
    }

    /** Completes when every record is acknowledged by the broker; fails if any write fails. */
    public CompletionStage<Void> write(List<Refused> refused) {
        if (refused.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<?>[] sends = new CompletableFuture<?>[refused.size()];
        for (int i = 0; i < refused.size(); i++) {
            Refused r = refused.get(i);
            ConsumerRecord<byte[], byte[]> source = r.record();
            log.info("dead-lettering {}-{}@{}: {} ({})", source.topic(), source.partition(), source.offset(),
                    r.rejection().reason().code(), r.rejection().detail());
            sends[i] = producer.send(toDeadLetter(source, r.rejection())).toCompletableFuture();
        }
        return CompletableFuture.allOf(sends);
    }

    /**
     * Writes one refused line of a record whose other lines were used: the line's text as the value, with the same
     * headers as a refused record plus the line's number. Completes when the broker has it.
     */
    public CompletionStage<?> writeLine(LineRejects.RejectedLine line) {
        log.info("dead-lettering line {} of {}-{}@{}: {} ({})", line.line(), line.topic(), line.partition(),
                line.offset(), line.reason(), line.detail());
        RecordHeaders headers = new RecordHeaders();
        headers.add(SOURCE_TOPIC, utf8(line.topic()));
        headers.add(SOURCE_PARTITION, utf8(String.valueOf(line.partition())));
        headers.add(SOURCE_OFFSET, utf8(String.valueOf(line.offset())));
        headers.add(SOURCE_LINE, utf8(String.valueOf(line.line())));
        headers.add(REASON, utf8(line.reason()));
        headers.add(DETAIL, utf8(line.detail()));
        return producer.send(new ProducerRecord<>(topic, null, (byte[]) null, utf8(line.text()), headers));
    }

    ProducerRecord<byte[], byte[]> toDeadLetter(ConsumerRecord<byte[], byte[]> source, Decoded.Rejected rejection) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : source.headers()) {
            headers.add(header);
        }
        headers.add(SOURCE_TOPIC, utf8(source.topic()));
        headers.add(SOURCE_PARTITION, utf8(String.valueOf(source.partition())));
        headers.add(SOURCE_OFFSET, utf8(String.valueOf(source.offset())));
        headers.add(SOURCE_TIMESTAMP, utf8(String.valueOf(source.timestamp())));
        headers.add(REASON, utf8(rejection.reason().code()));
        headers.add(DETAIL, utf8(rejection.detail()));
        return new ProducerRecord<>(topic, null, source.key(), source.value(), headers);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
