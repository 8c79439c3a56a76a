// The byte layout batches cross JNI in (mirrors native/src/codec.rs): big-endian; a string or
// byte array is an int length (-1 = null) and its bytes (strings in UTF-8).
package dev.ferrokafka.clients.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

public final class Codec {
    private Codec() {}

    /** Reads a batch from native code. */
    public static final class Reader {
        private final ByteBuffer buf;

        public Reader(byte[] data) {
            this.buf = ByteBuffer.wrap(data);
        }

        public byte i8() { return buf.get(); }
        public int i32() { return buf.getInt(); }
        public long i64() { return buf.getLong(); }
        public double f64() { return buf.getDouble(); }

        public byte[] bytes() {
            int n = buf.getInt();
            if (n < 0) {
                return null;
            }
            byte[] b = new byte[n];
            buf.get(b);
            return b;
        }

        public String str() {
            int n = buf.getInt();
            if (n < 0) {
                return null;
            }
            String s = new String(buf.array(), buf.position(), n, StandardCharsets.UTF_8);
            buf.position(buf.position() + n);
            return s;
        }

        public int[] i32s() {
            int n = buf.getInt();
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = buf.getInt();
            }
            return out;
        }

        public List<TopicPartition> tps() {
            int n = i32();
            List<TopicPartition> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String t = str();
                out.add(new TopicPartition(t, i32()));
            }
            return out;
        }

        /** `[count][partition, leader, replicas[], isr[]]...` as kafka-clients PartitionInfos. */
        public List<PartitionInfo> partitions(String topic) {
            int n = i32();
            List<PartitionInfo> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int p = i32();
                int leader = i32();
                Node[] replicas = nodes(i32s());
                Node[] isr = nodes(i32s());
                out.add(new PartitionInfo(topic, p, leader < 0 ? Node.noNode() : node(leader), replicas, isr));
            }
            return out;
        }

        private static Node node(int id) {
            return new Node(id, "", -1);
        }

        private static Node[] nodes(int[] ids) {
            Node[] out = new Node[ids.length];
            for (int i = 0; i < ids.length; i++) {
                out[i] = node(ids[i]);
            }
            return out;
        }
    }

    /** Builds a batch for native code. */
    public static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        private final ByteBuffer scratch = ByteBuffer.allocate(8);

        public Writer i32(int v) {
            scratch.clear();
            scratch.putInt(v);
            out.write(scratch.array(), 0, 4);
            return this;
        }

        public Writer i64(long v) {
            scratch.clear();
            scratch.putLong(v);
            out.write(scratch.array(), 0, 8);
            return this;
        }

        public Writer bytes(byte[] b) {
            if (b == null) {
                return i32(-1);
            }
            i32(b.length);
            out.write(b, 0, b.length);
            return this;
        }

        public Writer str(String s) {
            return bytes(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
        }

        public byte[] toByteArray() {
            return out.toByteArray();
        }
    }

    public static byte[] tps(Collection<TopicPartition> parts) {
        Writer w = new Writer().i32(parts.size());
        for (TopicPartition tp : parts) {
            w.str(tp.topic()).i32(tp.partition());
        }
        return w.toByteArray();
    }

    public static byte[] offsets(Map<TopicPartition, OffsetAndMetadata> offsets) {
        Writer w = new Writer().i32(offsets.size());
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
            OffsetAndMetadata o = e.getValue();
            w.str(e.getKey().topic()).i32(e.getKey().partition()).i64(o.offset())
                    .i32(o.leaderEpoch().orElse(-1)).str(o.metadata() == null ? "" : o.metadata());
        }
        return w.toByteArray();
    }

    /** The inverse of {@link #offsets(Map)}, skipping entries with no offset (negative), in order. */
    public static Map<TopicPartition, OffsetAndMetadata> readOffsets(byte[] bytes) {
        Reader r = new Reader(bytes);
        Map<TopicPartition, OffsetAndMetadata> out = new LinkedHashMap<>();
        int n = r.i32();
        for (int i = 0; i < n; i++) {
            TopicPartition tp = new TopicPartition(r.str(), r.i32());
            long offset = r.i64();
            int epoch = r.i32();
            String md = r.str();
            if (offset >= 0) {
                out.put(tp, new OffsetAndMetadata(offset, epoch < 0 ? Optional.empty() : Optional.of(epoch), md));
            }
        }
        return out;
    }
}
