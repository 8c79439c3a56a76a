// What the field-by-field comparison records: a sorted map of names to strings, filled by a
// program that only uses kafka-clients' public API. Run-specific text (the run's name, UUIDs,
// topic ids, member ids, wall-clock timestamps) is replaced by placeholders so the maps of two
// runs (Apache's clients, ferrokafka's) can be compared with equals.
package dev.ferrokafka.clients.shapes;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;

public final class Shapes {
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final TreeMap<String, String> values = new TreeMap<>();
    private final String run;
    private final List<String> secrets = new ArrayList<>();
    private long last = System.nanoTime();

    public Shapes(String run) {
        this.run = run;
    }

    /** The run's unique part of topic and group names. */
    public String run() {
        return run;
    }

    /** Registers run-specific text (a topic id, a timestamp) to be written as `<as>`. */
    public void hide(String text, String as) {
        if (text != null && !text.isEmpty()) {
            secrets.add(text);
            secrets.add(as);
        }
    }

    public Map<String, String> values() {
        return values;
    }

    /** Records `value` under `key` (String.valueOf; Optionals, collections as they print). */
    public void put(String key, Object value) {
        long now = System.nanoTime();
        if (now - last > 2_000_000_000L) {
            System.out.printf("shapes: %s took %d ms%n", key, (now - last) / 1_000_000);
        }
        last = now;
        String s = String.valueOf(value);
        if (values.containsKey(key)) {
            throw new IllegalStateException("recorded twice: " + key);
        }
        values.put(key, s);
    }

    /** Normalizes every recorded value (called once, at the end of the program). */
    public Map<String, String> finish() {
        TreeMap<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> out.put(k, normalize(v)));
        return out;
    }

    String normalize(String v) {
        for (int i = 0; i < secrets.size(); i += 2) {
            v = v.replace(secrets.get(i), "<" + secrets.get(i + 1) + ">");
        }
        v = v.replace(run, "<run>");
        return UUID.matcher(v).replaceAll("<uuid>");
    }

    /** Records what calling `call` threw (or "none"): class, message and cause's. */
    public <T> T error(String key, Callable<T> call) {
        try {
            T out = call.call();
            put(key, "none");
            return out;
        } catch (Throwable t) {
            put(key, describe(t));
            return null;
        }
    }

    /** `Class: message` and, for each cause, ` <- Class: message`. */
    public static String describe(Throwable t) {
        StringBuilder b = new StringBuilder();
        int depth = 0;
        for (Throwable x = t; x != null && depth < 4; x = x.getCause(), depth++) {
            if (depth > 0) {
                b.append(" <- ");
            }
            b.append(x.getClass().getName()).append(": ").append(x.getMessage());
            if (x instanceof ExecutionException && x.getCause() == null) {
                break;
            }
        }
        return b.toString();
    }

    /** A collection's elements as strings, sorted (for sets and maps whose order is not part of the API). */
    public static String sorted(Collection<?> items) {
        List<String> out = new ArrayList<>();
        for (Object o : items) {
            out.add(String.valueOf(o));
        }
        out.sort(null);
        return out.toString();
    }

    /** A map's entries as `key=value` strings, sorted by key text. */
    public static String sorted(Map<?, ?> map) {
        TreeMap<String, String> out = new TreeMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
        return out.toString();
    }

    /** The type of an Optional's value, or "empty". */
    public static String optionalType(Optional<?> o) {
        return o.map(v -> v.getClass().getSimpleName()).orElse("empty");
    }
}
