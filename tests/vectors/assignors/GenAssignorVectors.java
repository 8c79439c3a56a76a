// Generates assignor vectors with Apache Kafka's own assignors (kafka-clients).
// Run (Kafka logs to stdout, so keep only the vector lines):
//   java -cp "$(scripts/fetch-kafka.sh)/*" tests/vectors/assignors/GenAssignorVectors.java | grep "^{" > tests/vectors/assignors/vectors.jsonl
//
// One JSON object per line:
//   {"assignor": name, "topics": {topic: partition count}, "racks": null | {topic: [[replica rack, ...] per partition]},
//    "members": [{"id", "instance", "topics", "owned": [[topic, partition]...], "generation": int (-1: none),
//                 "user_data": hex | null, "rack": string | null}],
//    "result": {member id: [[topic, partition]...] sorted}}
// The member list is in the order the subscriptions were put into Java's HashMap (as a leader does with the
// JoinGroup response). Cases 0..119 are the original mixed set (seed 42); the sticky cases that follow (seed 4242)
// cover differing subscriptions, generations, stale and conflicting ownership claims, removed topics, user data
// in the pre-v2 formats, and racks; the chained cases (seed 777) replay membership churn on Java's own earlier
// assignments.
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.*;
import org.apache.kafka.common.*;

public class GenAssignorVectors {
    static String q(String s) { return s == null ? "null" : "\"" + s + "\""; }

    static String tps(List<TopicPartition> l) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < l.size(); i++) { if (i > 0) b.append(","); b.append("[").append(q(l.get(i).topic())).append(",").append(l.get(i).partition()).append("]"); }
        return b.append("]").toString();
    }

    static String hex(ByteBuffer b) {
        if (b == null) return null;
        StringBuilder s = new StringBuilder();
        ByteBuffer d = b.duplicate();
        while (d.hasRemaining()) s.append(String.format("%02x", d.get() & 0xff));
        return s.toString();
    }

    static final class Member {
        String id, instance, rack;
        List<String> topics;
        List<TopicPartition> owned = new ArrayList<>();
        int generation = -1;
        ByteBuffer userData;
    }

    // topics: name -> count; racks: name -> per partition replica racks (null: no racks anywhere)
    static void emit(String name, ConsumerPartitionAssignor a, Map<String, Integer> topics, Map<String, List<List<String>>> racks,
                     List<Member> ms) {
        List<PartitionInfo> parts = new ArrayList<>();
        Map<String, Node> nodes = new TreeMap<>();
        Node plain = new Node(1, "h", 1);
        nodes.put("", plain);
        for (Map.Entry<String, Integer> e : topics.entrySet())
            for (int p = 0; p < e.getValue(); p++) {
                Node[] replicas;
                if (racks == null) {
                    replicas = new Node[]{plain};
                } else {
                    List<String> rs = racks.get(e.getKey()).get(p);
                    replicas = new Node[rs.size()];
                    for (int i = 0; i < rs.size(); i++) {
                        String r = rs.get(i);
                        replicas[i] = nodes.computeIfAbsent(r, k -> new Node(100 + nodes.size(), "h" + k, 1, k));
                    }
                }
                parts.add(new PartitionInfo(e.getKey(), p, replicas[0], replicas, replicas));
            }
        Cluster cluster = new Cluster("c", new ArrayList<>(nodes.values()), parts, Set.of(), Set.of());
        Map<String, Subscription> m = new HashMap<>();
        StringBuilder members = new StringBuilder("[");
        for (int i = 0; i < ms.size(); i++) {
            Member x = ms.get(i);
            Subscription s = new Subscription(x.topics, x.userData == null ? null : x.userData.duplicate(), x.owned, x.generation,
                    Optional.ofNullable(x.rack));
            s.setGroupInstanceId(Optional.ofNullable(x.instance));
            m.put(x.id, s);
            if (i > 0) members.append(",");
            members.append("{\"id\":").append(q(x.id)).append(",\"instance\":").append(q(x.instance)).append(",\"topics\":[");
            for (int j = 0; j < x.topics.size(); j++) { if (j > 0) members.append(","); members.append(q(x.topics.get(j))); }
            members.append("],\"owned\":").append(tps(x.owned)).append(",\"generation\":").append(x.generation)
                   .append(",\"user_data\":").append(q(hex(x.userData))).append(",\"rack\":").append(q(x.rack)).append("}");
        }
        members.append("]");
        GroupAssignment ga;
        try {
            ga = a.assign(cluster, new GroupSubscription(m));
        } catch (RuntimeException e) {
            System.err.println("skipped a case Java's " + name + " rejects: " + e);
            return;
        }
        StringBuilder res = new StringBuilder("{");
        int k = 0;
        for (String id : new TreeSet<>(ga.groupAssignment().keySet())) {
            List<TopicPartition> l = new ArrayList<>(ga.groupAssignment().get(id).partitions());
            l.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
            if (k++ > 0) res.append(",");
            res.append(q(id)).append(":").append(tps(l));
        }
        res.append("}");
        StringBuilder tj = new StringBuilder("{");
        k = 0;
        for (Map.Entry<String, Integer> e : new TreeMap<>(topics).entrySet()) { if (k++ > 0) tj.append(","); tj.append(q(e.getKey())).append(":").append(e.getValue()); }
        tj.append("}");
        StringBuilder rj = new StringBuilder();
        if (racks == null) rj.append("null");
        else {
            rj.append("{");
            k = 0;
            for (Map.Entry<String, List<List<String>>> e : new TreeMap<>(racks).entrySet()) {
                if (k++ > 0) rj.append(",");
                rj.append(q(e.getKey())).append(":[");
                for (int p = 0; p < e.getValue().size(); p++) {
                    if (p > 0) rj.append(",");
                    rj.append("[");
                    List<String> rs = e.getValue().get(p);
                    for (int i = 0; i < rs.size(); i++) { if (i > 0) rj.append(","); rj.append(q(rs.get(i))); }
                    rj.append("]");
                }
                rj.append("]");
            }
            rj.append("}");
        }
        System.out.println("{\"assignor\":" + q(name) + ",\"topics\":" + tj + ",\"racks\":" + rj + ",\"members\":" + members
                + ",\"result\":" + res + "}");
    }

    // The original 120 mixed cases; the random stream is unchanged so range/roundrobin vectors stay the same.
    static void original() {
        Random rnd = new Random(42);
        String[] names = {"range", "roundrobin", "cooperative-sticky"};
        for (int c = 0; c < 120; c++) {
            String name = names[c % 3];
            int nt = 1 + rnd.nextInt(3);
            Map<String, Integer> topics = new HashMap<>();
            for (int t = 0; t < nt; t++) topics.put("topic-" + (char) ('a' + t), 1 + rnd.nextInt(8));
            int nm = 1 + rnd.nextInt(5);
            List<Member> ms = new ArrayList<>();
            boolean equalSubs = name.equals("cooperative-sticky") || rnd.nextBoolean();
            for (int i = 0; i < nm; i++) {
                Member x = new Member();
                x.id = "consumer-" + rnd.nextInt(1000) + "-" + UUID.nameUUIDFromBytes(new byte[]{(byte) c, (byte) i});
                x.instance = rnd.nextInt(4) == 0 ? "instance-" + i : null;
                List<String> s = new ArrayList<>(new TreeSet<>(topics.keySet()));
                if (!equalSubs && s.size() > 1) s.remove(rnd.nextInt(s.size()));
                x.topics = s;
                x.generation = name.equals("cooperative-sticky") ? 5 : -1;
                ms.add(x);
            }
            if (name.equals("cooperative-sticky") && c % 2 == 0) {
                // Previously owned partitions: deal every partition to a random subset of members.
                List<TopicPartition> all = new ArrayList<>();
                for (Map.Entry<String, Integer> e : new TreeMap<>(topics).entrySet())
                    for (int p = 0; p < e.getValue(); p++) all.add(new TopicPartition(e.getKey(), p));
                int owners = 1 + rnd.nextInt(nm);
                for (TopicPartition tp : all) ms.get(rnd.nextInt(owners)).owned.add(tp);
            }
            emit(name, name.equals("range") ? new RangeAssignor() : name.equals("roundrobin") ? new RoundRobinAssignor() : new CooperativeStickyAssignor(),
                 topics, null, ms);
        }
    }

    // StickyAssignor's user data, version 1 (with generation) or 0 (without).
    static ByteBuffer stickyUserData(List<TopicPartition> owned, Integer generation) {
        Map<String, List<Integer>> byTopic = new TreeMap<>();
        for (TopicPartition tp : owned) byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
        int size = 4;
        for (Map.Entry<String, List<Integer>> e : byTopic.entrySet()) size += 2 + e.getKey().getBytes(StandardCharsets.UTF_8).length + 4 + 4 * e.getValue().size();
        if (generation != null) size += 4;
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(byTopic.size());
        for (Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
            byte[] t = e.getKey().getBytes(StandardCharsets.UTF_8);
            b.putShort((short) t.length).put(t).putInt(e.getValue().size());
            for (int p : e.getValue()) b.putInt(p);
        }
        if (generation != null) b.putInt(generation);
        b.flip();
        return b;
    }

    static <T> T pick(Random rnd, List<T> l) { return l.get(rnd.nextInt(l.size())); }

    // Harder sticky cases: c selects the assignor (3 of 4 cooperative-sticky, 1 of 4 eager sticky).
    static void sticky(int count) {
        Random rnd = new Random(4242);
        String[] rackNames = {"r0", "r1", "r2"};
        for (int c = 0; c < count; c++) {
            boolean eager = c % 4 == 3;
            int nt = 1 + rnd.nextInt(4);
            Map<String, Integer> topics = new HashMap<>();
            for (int t = 0; t < nt; t++) topics.put("topic-" + (char) ('a' + t), 1 + rnd.nextInt(rnd.nextInt(5) == 0 ? 24 : 9));
            List<String> sortedTopics = new ArrayList<>(new TreeSet<>(topics.keySet()));
            // A topic some members still own partitions of but that no longer exists, and one nobody has yet.
            String gone = "topic-gone";
            int nm = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 12 : 6);
            int mode = rnd.nextInt(3); // 0: equal subscriptions, 1: random subsets, 2: all but one topic each
            boolean withRacks = rnd.nextInt(3) == 0;
            Map<String, List<List<String>>> racks = null;
            if (withRacks) {
                racks = new HashMap<>();
                boolean allRacksEverywhere = rnd.nextInt(4) == 0;
                for (String t : sortedTopics) {
                    List<List<String>> perPartition = new ArrayList<>();
                    for (int p = 0; p < topics.get(t); p++) {
                        List<String> rs = new ArrayList<>();
                        int nr = allRacksEverywhere ? 3 : 1 + rnd.nextInt(2);
                        int first = rnd.nextInt(3);
                        for (int i = 0; i < nr; i++) rs.add(rackNames[(first + i) % 3]);
                        perPartition.add(rs);
                    }
                    racks.put(t, perPartition);
                }
            }
            int base = 3 + rnd.nextInt(6);
            List<Member> ms = new ArrayList<>();
            for (int i = 0; i < nm; i++) {
                Member x = new Member();
                x.id = (rnd.nextBoolean() ? "consumer-" : "c") + rnd.nextInt(100) + "-" + UUID.nameUUIDFromBytes(new byte[]{(byte) c, (byte) i, 7});
                x.instance = rnd.nextInt(5) == 0 ? "instance-" + rnd.nextInt(20) : null;
                List<String> s = new ArrayList<>(sortedTopics);
                if (mode == 1) {
                    s.clear();
                    for (String t : sortedTopics) if (rnd.nextInt(3) != 0) s.add(t);
                    if (s.isEmpty()) s.add(pick(rnd, sortedTopics));
                    if (rnd.nextInt(6) == 0) s.add("topic-new");
                } else if (mode == 2 && s.size() > 1) {
                    s.remove(rnd.nextInt(s.size()));
                }
                x.topics = s;
                if (withRacks && rnd.nextInt(5) != 0) x.rack = rackNames[rnd.nextInt(3)];
                int g = rnd.nextInt(10);
                x.generation = g < 6 ? base : g < 8 ? base - 1 - rnd.nextInt(2) : -1;
                ms.add(x);
            }
            // Previous ownership.
            List<TopicPartition> all = new ArrayList<>();
            for (String t : sortedTopics) for (int p = 0; p < topics.get(t); p++) all.add(new TopicPartition(t, p));
            if (rnd.nextInt(3) == 0) for (int p = 0; p < 1 + rnd.nextInt(4); p++) all.add(new TopicPartition(gone, p));
            int how = rnd.nextInt(5);
            if (how > 0) {
                int owners = 1 + rnd.nextInt(nm);
                for (int idx = 0; idx < all.size(); idx++) {
                    TopicPartition tp = all.get(idx);
                    if (how == 1 && rnd.nextInt(4) == 0) continue; // some unowned
                    int o = how == 2 ? idx % owners : rnd.nextInt(owners);
                    ms.get(o).owned.add(tp);
                    // Conflicting claims: another member (often of an older generation) claims it too.
                    if (how >= 3 && rnd.nextInt(how == 4 ? 3 : 8) == 0) ms.get(rnd.nextInt(nm)).owned.add(tp);
                }
                for (Member x : ms) if (rnd.nextInt(3) == 0) Collections.shuffle(x.owned, rnd);
            }
            ConsumerPartitionAssignor a;
            String name;
            if (eager) {
                name = "sticky";
                a = new StickyAssignor();
                for (Member x : ms) {
                    int f = rnd.nextInt(4);
                    if (f == 0 && x.owned.isEmpty()) x.userData = null;
                    else x.userData = stickyUserData(x.owned, f == 1 ? null : (Integer) x.generation);
                    // Eager members revoke everything before joining: owned partitions travel only in user data.
                    x.owned = new ArrayList<>();
                    if (rnd.nextBoolean()) x.generation = -1;
                }
            } else {
                name = "cooperative-sticky";
                a = new CooperativeStickyAssignor();
                for (Member x : ms) {
                    // Pre-v2 subscriptions carry the generation only in the assignor's user data.
                    if (rnd.nextInt(6) == 0) {
                        x.userData = ByteBuffer.allocate(4).putInt(0, x.generation);
                        x.generation = -1;
                    }
                }
            }
            emit(name, a, topics, racks, ms);
        }
    }

    static Map<String, List<TopicPartition>> run(ConsumerPartitionAssignor a, Map<String, Integer> topics, List<Member> ms) {
        List<PartitionInfo> parts = new ArrayList<>();
        Node n = new Node(1, "h", 1);
        for (Map.Entry<String, Integer> e : topics.entrySet())
            for (int p = 0; p < e.getValue(); p++) parts.add(new PartitionInfo(e.getKey(), p, n, new Node[]{n}, new Node[]{n}));
        Map<String, Subscription> m = new HashMap<>();
        for (Member x : ms) {
            ByteBuffer ud = x.owned.isEmpty() ? null : stickyUserData(x.owned, x.generation);
            m.put(x.id, new Subscription(x.topics, ud, List.of(), x.generation, Optional.empty()));
        }
        Map<String, List<TopicPartition>> out = new HashMap<>();
        a.assign(new Cluster("c", List.of(n), parts, Set.of(), Set.of()), new GroupSubscription(m)).groupAssignment()
                .forEach((id, as) -> out.put(id, as.partitions()));
        return out;
    }

    // Rebalances as they happen: Java assigns a group (a few rounds, eagerly so every partition has an
    // owner), then members leave and join, subscriptions change and topics grow; the vector is the next
    // rebalance, with the survivors claiming what they were given.
    static void chained(int count, int keepFirst, Set<Integer> alsoKeep) {
        Random rnd = new Random(777);
        for (int c = 0; c < count; c++) {
            boolean eager = c % 4 == 3;
            int nt = 2 + rnd.nextInt(4);
            Map<String, Integer> topics = new HashMap<>();
            for (int t = 0; t < nt; t++) topics.put("topic-" + (char) ('a' + t), 1 + rnd.nextInt(16));
            List<String> sortedTopics = new ArrayList<>(new TreeSet<>(topics.keySet()));
            int nm = 2 + rnd.nextInt(10);
            boolean equal = rnd.nextInt(4) == 0;
            List<Member> ms = new ArrayList<>();
            for (int i = 0; i < nm; i++) {
                Member x = new Member();
                x.id = "m" + rnd.nextInt(1000) + "-" + UUID.nameUUIDFromBytes(new byte[]{(byte) c, (byte) i, 9});
                x.topics = new ArrayList<>();
                for (String t : sortedTopics) if (equal || rnd.nextInt(2) == 0) x.topics.add(t);
                if (x.topics.isEmpty()) x.topics.add(pick(rnd, sortedTopics));
                ms.add(x);
            }
            int gen = 1;
            int rounds = 1 + rnd.nextInt(3);
            for (int r = 0; r < rounds; r++, gen++) {
                Map<String, List<TopicPartition>> res = run(new StickyAssignor(), topics, ms);
                for (Member x : ms) { x.owned = new ArrayList<>(res.get(x.id)); x.generation = gen; }
                // Churn between rounds.
                if (rnd.nextBoolean() && ms.size() > 1) ms.remove(rnd.nextInt(ms.size()));
                for (int j = rnd.nextInt(3); j > 0; j--) {
                    Member x = new Member();
                    x.id = "m" + rnd.nextInt(1000) + "-" + UUID.nameUUIDFromBytes(new byte[]{(byte) c, (byte) (50 + r * 4 + j), 9});
                    x.topics = new ArrayList<>(equal ? sortedTopics : List.of(pick(rnd, sortedTopics)));
                    if (!equal) for (String t : sortedTopics) if (rnd.nextInt(3) == 0 && !x.topics.contains(t)) x.topics.add(t);
                    ms.add(x);
                }
                if (!equal) for (Member x : ms) if (rnd.nextInt(5) == 0) {
                    String t = pick(rnd, sortedTopics);
                    if (x.topics.contains(t)) { if (x.topics.size() > 1) x.topics.remove(t); } else x.topics.add(t);
                }
                if (rnd.nextInt(3) == 0) { String t = pick(rnd, sortedTopics); topics.put(t, topics.get(t) + 1 + rnd.nextInt(6)); }
            }
            // Some members missed the last generation: they claim what they owned one generation back.
            for (Member x : ms) if (x.generation > 1 && rnd.nextInt(6) == 0) x.generation--;
            Collections.shuffle(ms, rnd);
            ConsumerPartitionAssignor a = eager ? new StickyAssignor() : new CooperativeStickyAssignor();
            if (eager) for (Member x : ms) { x.userData = stickyUserData(x.owned, x.generation); x.owned = new ArrayList<>(); }
            if (c < keepFirst || alsoKeep.contains(c)) emit(eager ? "sticky" : "cooperative-sticky", a, topics, null, ms);
        }
    }

    public static void main(String[] args) {
        original();
        sticky(args.length > 0 ? Integer.parseInt(args[0]) : 240);
        // Of 2000 chained cases keep the first 160, plus the few found to need Java's rarer steps: moving a
        // partition back between the same two members (754, 804 revert a rebalance that did not improve the
        // balance; 1039, 1499 reuse an earlier move). Pass a second argument to emit all of the first N.
        if (args.length > 1) chained(Integer.parseInt(args[1]), Integer.MAX_VALUE, Set.of());
        else chained(2000, 160, Set.of(754, 804, 1039, 1499));
    }
}
