// Decodes the native DescribeConfigs answer into kafka-clients' ConfigEntry objects, with
// sources, synonyms, types and documentation mapped as KafkaAdminClient maps the response.
package dev.ferrokafka.clients.internal;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.FerroKafkaAdminResults;

public final class ConfigEntries {
    private ConfigEntries() {}

    /** `[count][name, value, source, sensitive, readOnly, synonyms..., type, documentation]`. */
    public static List<ConfigEntry> read(byte[] bytes) {
        Codec.Reader r = new Codec.Reader(bytes);
        List<ConfigEntry> entries = new ArrayList<>();
        int n = r.i32();
        for (int i = 0; i < n; i++) {
            String name = r.str();
            String value = r.str();
            ConfigEntry.ConfigSource src = source(r.str());
            boolean sensitive = r.i32() != 0;
            boolean readOnly = r.i32() != 0;
            List<ConfigEntry.ConfigSynonym> synonyms = new ArrayList<>();
            int m = r.i32();
            for (int j = 0; j < m; j++) {
                synonyms.add(FerroKafkaAdminResults.configSynonym(r.str(), r.str(), source(r.str())));
            }
            ConfigEntry.ConfigType type = type(r.i32());
            entries.add(new ConfigEntry(name, value, src, sensitive, readOnly, synonyms, type, r.str()));
        }
        return entries;
    }

    /** A ConfigSource by name; UNKNOWN for one this kafka-clients does not know. */
    static ConfigEntry.ConfigSource source(String name) {
        try {
            return ConfigEntry.ConfigSource.valueOf(name);
        } catch (IllegalArgumentException unknownToThisKafkaClients) {
            return ConfigEntry.ConfigSource.UNKNOWN;
        }
    }

    /** DescribeConfigs' config type ids (1 BOOLEAN ... 9 PASSWORD), as KafkaAdminClient maps them. */
    static ConfigEntry.ConfigType type(int id) {
        return switch (id) {
            case 1 -> ConfigEntry.ConfigType.BOOLEAN;
            case 2 -> ConfigEntry.ConfigType.STRING;
            case 3 -> ConfigEntry.ConfigType.INT;
            case 4 -> ConfigEntry.ConfigType.SHORT;
            case 5 -> ConfigEntry.ConfigType.LONG;
            case 6 -> ConfigEntry.ConfigType.DOUBLE;
            case 7 -> ConfigEntry.ConfigType.LIST;
            case 8 -> ConfigEntry.ConfigType.CLASS;
            case 9 -> ConfigEntry.ConfigType.PASSWORD;
            default -> ConfigEntry.ConfigType.UNKNOWN;
        };
    }
}
