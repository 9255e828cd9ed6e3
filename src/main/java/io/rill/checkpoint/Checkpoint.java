package io.rill.checkpoint;

import org.apache.kafka.common.TopicPartition;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a node needs to resume: the state of its learners, as named sections of bytes each owner wrote
 * (e.g. "char-model:names", "stream:rill.text.names-0", "skipgram:shard-0"), and the Kafka offsets that state
 * includes, so reading resumes exactly where the state stops.
 *
 * <p>The maps keep their insertion order and cannot be changed; the section arrays are not copied (a checkpoint
 * can be hundreds of megabytes), so whoever builds one must not change them afterwards. Equality of two
 * checkpoints compares the arrays by identity, as for any record holding arrays.
 *
 * @param sequence  increasing number of the checkpoint, also its file name; at least 0
 * @param createdAt when its state was taken
 * @param offsets   per partition, the next offset to read: the first record the state does not include
 * @param sections  the state, by name
 */
public record Checkpoint(long sequence, Instant createdAt, Map<TopicPartition, Long> offsets,
                         Map<String, byte[]> sections) {

    /** Longest section name, in chars: names are labels, and the file stores them with a 16-bit length. */
    public static final int MAX_NAME_LENGTH = 1000;

    /** What the sections of the streams' states start with; the rest is the stream's key ("topic-partition"). */
    public static final String STREAM_SECTION_PREFIX = "stream:";

    /** The section of the stream whose key is {@code streamKey} ({@link #streamKey}). */
    public static String streamSection(String streamKey) {
        return STREAM_SECTION_PREFIX + streamKey;
    }

    /** The key a stream goes by in checkpoints and among a node's stream actors: "topic-partition". */
    public static String streamKey(String topic, int partition) {
        return topic + "-" + partition;
    }

    public Checkpoint {
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must not be negative: " + sequence);
        }
        Objects.requireNonNull(createdAt, "createdAt");
        Map<TopicPartition, Long> offsetsCopy = new LinkedHashMap<>();
        offsets.forEach((partition, offset) -> {
            if (partition == null || partition.topic() == null || partition.topic().length() > MAX_NAME_LENGTH
                    || partition.partition() < 0) {
                throw new IllegalArgumentException("not a usable partition: " + partition);
            }
            if (offset == null || offset < 0) {
                throw new IllegalArgumentException("offset of " + partition + " must not be negative: " + offset);
            }
            offsetsCopy.put(partition, offset);
        });
        Map<String, byte[]> sectionsCopy = new LinkedHashMap<>();
        sections.forEach((name, bytes) -> {
            if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
                throw new IllegalArgumentException("section name must have 1 to " + MAX_NAME_LENGTH
                        + " characters: " + name);
            }
            sectionsCopy.put(name, Objects.requireNonNull(bytes, () -> "section " + name));
        });
        offsets = Collections.unmodifiableMap(offsetsCopy);
        sections = Collections.unmodifiableMap(sectionsCopy);
    }

    /** The section called {@code name}, if there is one. */
    public Optional<byte[]> section(String name) {
        return Optional.ofNullable(sections.get(name));
    }

    /** The sections' total size in bytes. */
    public long sectionBytes() {
        return sections.values().stream().mapToLong(bytes -> bytes.length).sum();
    }
}
