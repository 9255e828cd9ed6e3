package io.rill.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Where one partition stands for a consumer group: its first and end offsets, the group's committed offset
 * (-1 when it has committed none) and the lag, the records the group has yet to commit.
 */
public record PartitionOffsets(String topic, int partition, long startOffset, long endOffset, long committedOffset) {

    public long lag() {
        return endOffset - Math.max(committedOffset, startOffset);
    }

    /** Reads the offsets of every partition of {@code topics} for {@code groupId}, sorted by topic and partition. */
    public static List<PartitionOffsets> read(Admin admin, String groupId, Collection<String> topics, long timeoutMillis)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<String, TopicDescription> descriptions =
                admin.describeTopics(topics).allTopicNames().get(timeoutMillis, TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        descriptions.values().forEach(description -> description.partitions().forEach(p -> {
            TopicPartition tp = new TopicPartition(description.name(), p.partition());
            latest.put(tp, OffsetSpec.latest());
            earliest.put(tp, OffsetSpec.earliest());
        }));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                admin.listOffsets(latest).all().get(timeoutMillis, TimeUnit.MILLISECONDS);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts =
                admin.listOffsets(earliest).all().get(timeoutMillis, TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata().get(timeoutMillis, TimeUnit.MILLISECONDS);
        List<PartitionOffsets> result = new ArrayList<>();
        for (TopicPartition tp : latest.keySet()) {
            OffsetAndMetadata c = committed.get(tp);
            result.add(new PartitionOffsets(tp.topic(), tp.partition(), starts.get(tp).offset(), ends.get(tp).offset(),
                    c == null ? -1 : c.offset()));
        }
        result.sort(Comparator.comparing(PartitionOffsets::topic).thenComparingInt(PartitionOffsets::partition));
        return result;
    }
}
