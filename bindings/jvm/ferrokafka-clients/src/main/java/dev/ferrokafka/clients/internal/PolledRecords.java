// Turns one native poll batch into kafka-clients' ConsumerRecords, as KafkaConsumer's fetch
// collector does: deserialized with the configured (header-aware) deserializers, grouped by
// partition in fetch order, with nextOffsets() where the running kafka-clients has it (4.0+:
// each partition's next offset with the last record's leader epoch and metadata ""); a record
// that fails to deserialize is left for the next poll.
package dev.ferrokafka.clients.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.Deserializer;

public final class PolledRecords {
    /** ConsumerRecords(Map records, Map nextOffsets): kafka-clients 4.0+, absent from 3.9. */
    private static final MethodHandle WITH_NEXT_OFFSETS = withNextOffsets();

    private PolledRecords() {}

    private static MethodHandle withNextOffsets() {
        try {
            return MethodHandles.publicLookup().findConstructor(ConsumerRecords.class,
                    MethodType.methodType(void.class, Map.class, Map.class));
        } catch (NoSuchMethodException | IllegalAccessException olderKafkaClients) {
            return null;
        }
    }

    /** Where a partition's unreturned records start, so the next poll fetches them again. */
    public interface Rewind {
        void seek(TopicPartition tp, long offset);
    }

    private record Raw(TopicPartition tp, long offset, long ts, TimestampType tsType, int epoch, byte[] key,
                       byte[] value, RecordHeaders headers) {}

    /** Decodes `[count][topic, partition, offset, ts, tsType, epoch, key, value, headers]...`. */
    public static <K, V> ConsumerRecords<K, V> decode(byte[] batch, Deserializer<K> keys, Deserializer<V> values,
                                                      Rewind rewind) {
        Codec.Reader r = new Codec.Reader(batch);
        int n = r.i32();
        if (n == 0) {
            return ConsumerRecords.empty();
        }
        List<Raw> raws = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String topic = r.str();
            int partition = r.i32();
            long offset = r.i64();
            long ts = r.i64();
            TimestampType tsType = r.i8() == 0 ? TimestampType.CREATE_TIME : TimestampType.LOG_APPEND_TIME;
            int epoch = r.i32();
            byte[] key = r.bytes();
            byte[] value = r.bytes();
            int hn = r.i32();
            RecordHeaders headers = new RecordHeaders();
            for (int j = 0; j < hn; j++) {
                String hk = r.str();
                headers.add(new RecordHeader(hk, r.bytes()));
            }
            raws.add(new Raw(new TopicPartition(topic, partition), offset, ts, tsType, epoch, key, value, headers));
        }
        Map<TopicPartition, List<ConsumerRecord<K, V>>> out = new LinkedHashMap<>();
        Map<TopicPartition, OffsetAndMetadata> next = new LinkedHashMap<>();
        for (int i = 0; i < raws.size(); i++) {
            Raw x = raws.get(i);
            String topic = x.tp.topic();
            K k;
            V v;
            try {
                k = keys.deserialize(topic, x.headers, x.key);
                v = values.deserialize(topic, x.headers, x.value);
            } catch (RuntimeException e) {
                // As KafkaConsumer: the records before the bad one are returned, and the bad one
                // fails the next poll until the application seeks past it; nothing after it is lost.
                Map<TopicPartition, Long> from = new LinkedHashMap<>();
                for (Raw rest : raws.subList(i, raws.size())) {
                    from.putIfAbsent(rest.tp, rest.offset);
                }
                from.forEach(rewind::seek);
                if (!out.isEmpty()) {
                    return records(out, next);
                }
                throw new RecordDeserializationException(x.tp, x.offset, "Error deserializing key/value for partition "
                        + x.tp + " at offset " + x.offset + ". If needed, please seek past the record to continue consumption.", e);
            }
            Optional<Integer> epoch = x.epoch < 0 ? Optional.empty() : Optional.of(x.epoch);
            out.computeIfAbsent(x.tp, t -> new ArrayList<>()).add(new ConsumerRecord<>(topic, x.tp.partition(), x.offset,
                    x.ts, x.tsType, x.key == null ? -1 : x.key.length, x.value == null ? -1 : x.value.length, k, v,
                    x.headers, epoch));
            next.put(x.tp, new OffsetAndMetadata(x.offset + 1, epoch, ""));
        }
        return records(out, next);
    }

    @SuppressWarnings("unchecked")
    private static <K, V> ConsumerRecords<K, V> records(Map<TopicPartition, List<ConsumerRecord<K, V>>> out,
                                                        Map<TopicPartition, OffsetAndMetadata> next) {
        if (WITH_NEXT_OFFSETS == null) {
            return new ConsumerRecords<>(out);
        }
        try {
            return (ConsumerRecords<K, V>) WITH_NEXT_OFFSETS.invoke(out, next);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
