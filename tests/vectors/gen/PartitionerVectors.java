// Emits tests/vectors/partitioner/vectors.json from the real Java client's partitioner.
//
// Run (JDK 17+, single-file source launch):
//   java -cp kafka-clients-<4.x>.jar:slf4j-api-1.7.36.jar tests/vectors/gen/PartitionerVectors.java > tests/vectors/partitioner/vectors.json
//
// Every row: key bytes (hex), a description, murmur2 of the key, and for each partition count the
// partition BuiltInPartitioner.partitionForKey chose. Every client binding checks every row.
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.utils.Utils;

public class PartitionerVectors {
    static final int[] COUNTS = {1, 2, 3, 7, 12, 100, 1000};

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) sb.append(String.format("%02x", x & 0xff));
        return sb.toString();
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20 || c > 0x7e) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.toString();
    }

    // Read the version resource directly: AppInfoParser would need slf4j on the class path.
    static String version() {
        try (java.io.InputStream in = Utils.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (Exception e) {
            return "unknown";
        }
    }

    public static void main(String[] args) {
        List<String[]> keys = new ArrayList<>();
        String[] ascii = {"a", "b", "key", "key-1", "user-42", "order:1000", "hello world",
            "The quick brown fox jumps over the lazy dog", "0", "123456789", "abc", "abcd", "abcde",
            "user-activities", "00000000-0000-0000-0000-000000000000"};
        for (String s : ascii) keys.add(new String[]{"ascii " + s, hex(s.getBytes(StandardCharsets.UTF_8))});
        String[] utf8 = {"é", "café", "ключ", "キー", "鍵", "😀", "naïve-ß-€", "emoji 🚀 key"};
        for (String s : utf8) keys.add(new String[]{"utf8 " + s, hex(s.getBytes(StandardCharsets.UTF_8))});
        byte[][] bins = {
            {}, {0x00}, {(byte) 0xff}, {0x00, 0x00, 0x00, 0x00}, {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
            {0x00, (byte) 0xff, 0x00, (byte) 0xff, 0x7f}, {(byte) 0x80}, {(byte) 0x80, 0x00, 0x01},
            {1, 2, 3}, {1, 2, 3, 4, 5, 6, 7}, {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef},
        };
        String[] binNames = {"empty", "00", "ff", "00x4", "ffx4", "mixed", "80", "800001", "010203", "01..07", "deadbeef"};
        for (int i = 0; i < bins.length; i++) keys.add(new String[]{(i == 0 ? "empty " : "binary ") + binNames[i], hex(bins[i])});
        // Longer keys cover every tail length (0..3) and many 4-byte blocks.
        for (int len = 1; len <= 40; len += 3) {
            byte[] b = new byte[len];
            for (int j = 0; j < len; j++) b[j] = (byte) (j * 37 + len * 11);
            keys.add(new String[]{"binary len " + len, hex(b)});
        }

        StringBuilder out = new StringBuilder();
        out.append("{\n  \"generator\": \"tests/vectors/gen/PartitionerVectors.java\",\n");
        out.append("  \"kafka_clients_version\": \"").append(version()).append("\",\n");
        out.append("  \"formula\": \"(murmur2(key) & 0x7fffffff) % partitions\",\n");
        out.append("  \"rows\": [\n");
        for (int i = 0; i < keys.size(); i++) {
            String[] k = keys.get(i);
            byte[] bytes = new byte[k[1].length() / 2];
            for (int j = 0; j < bytes.length; j++) bytes[j] = (byte) Integer.parseInt(k[1].substring(2 * j, 2 * j + 2), 16);
            out.append("    {\"description\": \"").append(esc(k[0])).append("\", \"key_hex\": \"").append(k[1])
               .append("\", \"murmur2\": ").append(Utils.murmur2(bytes)).append(", \"partitions\": {");
            for (int c = 0; c < COUNTS.length; c++) {
                if (c > 0) out.append(", ");
                out.append('"').append(COUNTS[c]).append("\": ").append(BuiltInPartitioner.partitionForKey(bytes, COUNTS[c]));
            }
            out.append("}}").append(i + 1 < keys.size() ? ",\n" : "\n");
        }
        out.append("  ]\n}\n");
        System.out.print(out);
    }
}
