// Generates assignor vectors with Apache Kafka's own assignors (kafka-clients).
// Run: java -cp "$(scripts/fetch-kafka.sh)/*" tests/vectors/assignors/GenAssignorVectors.java > tests/vectors/assignors/vectors.jsonl
import java.util.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.*;
import org.apache.kafka.common.*;

public class GenAssignorVectors {
    static String q(String s) { return "\"" + s + "\""; }

    static String tps(List<TopicPartition> l) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < l.size(); i++) { if (i > 0) b.append(","); b.append("[").append(q(l.get(i).topic())).append(",").append(l.get(i).partition()).append("]"); }
        return b.append("]").toString();
    }

    static void emit(String name, ConsumerPartitionAssignor a, Map<String, Integer> topics, List<String> ids, List<String> instances,
                     List<List<String>> subs, List<List<TopicPartition>> owned, int generation) {
        List<PartitionInfo> parts = new ArrayList<>();
        Node n = new Node(1, "h", 1);
        for (Map.Entry<String, Integer> e : topics.entrySet())
            for (int p = 0; p < e.getValue(); p++) parts.add(new PartitionInfo(e.getKey(), p, n, new Node[]{n}, new Node[]{n}));
        Cluster cluster = new Cluster("c", List.of(n), parts, Set.of(), Set.of());
        Map<String, Subscription> m = new HashMap<>();
        StringBuilder members = new StringBuilder("[");
        for (int i = 0; i < ids.size(); i++) {
            Optional<String> inst = Optional.ofNullable(instances.get(i));
            Subscription s = new Subscription(subs.get(i), null, owned.get(i), generation, Optional.empty());
            s.setGroupInstanceId(inst);
            m.put(ids.get(i), s);
            if (i > 0) members.append(",");
            members.append("{\"id\":").append(q(ids.get(i))).append(",\"instance\":").append(inst.map(GenAssignorVectors::q).orElse("null"))
                   .append(",\"topics\":[");
            for (int j = 0; j < subs.get(i).size(); j++) { if (j > 0) members.append(","); members.append(q(subs.get(i).get(j))); }
            members.append("],\"owned\":").append(tps(owned.get(i))).append("}");
        }
        members.append("]");
        GroupAssignment ga = a.assign(cluster, new GroupSubscription(m));
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
        System.out.println("{\"assignor\":" + q(name) + ",\"generation\":" + generation + ",\"topics\":" + tj + ",\"members\":" + members + ",\"result\":" + res + "}");
    }

    public static void main(String[] args) {
        Random rnd = new Random(42);
        String[] names = {"range", "roundrobin", "cooperative-sticky"};
        for (int c = 0; c < 120; c++) {
            String name = names[c % 3];
            int nt = 1 + rnd.nextInt(3);
            Map<String, Integer> topics = new HashMap<>();
            for (int t = 0; t < nt; t++) topics.put("topic-" + (char) ('a' + t), 1 + rnd.nextInt(8));
            int nm = 1 + rnd.nextInt(5);
            List<String> ids = new ArrayList<>(), inst = new ArrayList<>();
            List<List<String>> subs = new ArrayList<>();
            List<List<TopicPartition>> owned = new ArrayList<>();
            boolean equalSubs = name.equals("cooperative-sticky") || rnd.nextBoolean();
            for (int i = 0; i < nm; i++) {
                ids.add("consumer-" + rnd.nextInt(1000) + "-" + UUID.nameUUIDFromBytes(new byte[]{(byte) c, (byte) i}));
                inst.add(rnd.nextInt(4) == 0 ? "instance-" + i : null);
                List<String> s = new ArrayList<>(new TreeSet<>(topics.keySet()));
                if (!equalSubs && s.size() > 1) s.remove(rnd.nextInt(s.size()));
                subs.add(s);
                owned.add(new ArrayList<>());
            }
            if (name.equals("cooperative-sticky") && c % 2 == 0) {
                // Previously owned partitions: deal every partition to a random subset of members.
                List<TopicPartition> all = new ArrayList<>();
                for (Map.Entry<String, Integer> e : new TreeMap<>(topics).entrySet())
                    for (int p = 0; p < e.getValue(); p++) all.add(new TopicPartition(e.getKey(), p));
                int owners = 1 + rnd.nextInt(nm);
                for (TopicPartition tp : all) owned.get(rnd.nextInt(owners)).add(tp);
            }
            emit(name, name.equals("range") ? new RangeAssignor() : name.equals("roundrobin") ? new RoundRobinAssignor() : new CooperativeStickyAssignor(),
                 topics, ids, inst, subs, owned, name.equals("cooperative-sticky") ? 5 : -1);
        }
    }
}
