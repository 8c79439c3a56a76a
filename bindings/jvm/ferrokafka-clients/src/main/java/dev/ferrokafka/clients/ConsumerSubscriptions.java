// Where a FerroKafkaConsumer's partitions come from, as kafka-clients' SubscriptionState: the
// kind (nothing yet, topics or a pattern under group management, or user-assigned partitions;
// switching kinds needs an unsubscribe first), the rebalance listener's bridge and its pending
// failure, and subscribe/assign/unsubscribe with KafkaConsumer's checks and messages. Each call
// holds the consumer's single-thread guard. Also turns Java's Pattern.quote quoting into the
// escapes the core's regex reads.
package dev.ferrokafka.clients;

import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import dev.ferrokafka.clients.internal.Codec;
import dev.ferrokafka.clients.internal.Native;
import dev.ferrokafka.clients.internal.RebalanceBridge;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

final class ConsumerSubscriptions {
    private enum Source { NONE, TOPICS, PATTERN, ASSIGNED }

    private static final String MUTUALLY_EXCLUSIVE = "Subscription to topics, partitions and pattern are mutually exclusive";

    private final ConsumerThreadGuard guard;
    /** The consumer's InvalidGroupIdException check (subscribing needs a group). */
    private final Runnable requireGroup;
    private volatile RebalanceBridge bridge;
    /** How partitions are chosen, as SubscriptionState's type. */
    private Source source = Source.NONE;
    /** Whether a subscribe/assign went through, which poll() requires. */
    private boolean hasAssignmentSource;

    ConsumerSubscriptions(ConsumerThreadGuard guard, Runnable requireGroup) {
        this.guard = guard;
        this.requireGroup = requireGroup;
    }

    /** As SubscriptionState.setSubscriptionType: switching between kinds needs an unsubscribe first. */
    private void become(Source next) {
        if (source != Source.NONE && source != next) {
            throw new IllegalStateException(MUTUALLY_EXCLUSIVE);
        }
        source = next;
    }

    boolean hasAssignmentSource() {
        return hasAssignmentSource;
    }

    Set<TopicPartition> assignment() {
        long h = guard.acquire();
        try {
            return Collections.unmodifiableSet(new HashSet<>(new Codec.Reader(Native.consumerAssignment(h)).tps()));
        } finally {
            guard.release();
        }
    }

    Set<String> subscription() {
        long h = guard.acquire();
        try {
            if (source == Source.ASSIGNED) {
                // Manually assigned partitions are no subscription (KafkaConsumer answers empty).
                return Collections.emptySet();
            }
            return Collections.unmodifiableSet(new HashSet<>(List.of(Native.consumerSubscription(h))));
        } finally {
            guard.release();
        }
    }

    void subscribe(Collection<String> topics, ConsumerRebalanceListener callback) {
        long h = guard.acquire();
        try {
            // KafkaConsumer's order of checks: the group first, then the topics.
            requireGroup.run();
            if (topics == null) {
                throw new IllegalArgumentException("Topic collection to subscribe to cannot be null");
            }
            if (topics.isEmpty()) {
                unsubscribe();
                return;
            }
            for (String t : topics) {
                if (Utils.isBlank(t)) {
                    throw new IllegalArgumentException("Topic collection to subscribe to cannot contain null or empty topic");
                }
            }
            become(Source.TOPICS);
            RebalanceBridge b = callback == null ? null : new RebalanceBridge(callback);
            Native.consumerSubscribe(h, topics.toArray(new String[0]), b);
            if (b != null) {
                bridge = b;
            }
            hasAssignmentSource = true;
        } finally {
            guard.release();
        }
    }

    void subscribe(Pattern pattern, ConsumerRebalanceListener callback) {
        requireGroup.run();
        if (pattern == null || pattern.toString().isEmpty()) {
            throw new IllegalArgumentException("Topic pattern to subscribe to cannot be " + (pattern == null ? "null" : "empty"));
        }
        long h = guard.acquire();
        try {
            become(Source.PATTERN);
            RebalanceBridge b = callback == null ? null : new RebalanceBridge(callback);
            Native.consumerSubscribePattern(h, unquote(pattern.pattern()), b);
            if (b != null) {
                bridge = b;
            }
            hasAssignmentSource = true;
        } finally {
            guard.release();
        }
    }

    /** Java's `\\Q...\\E` quoting (Pattern.quote) as escaped characters, which the core's regex reads. */
    static String unquote(String pattern) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < pattern.length()) {
            int q = pattern.indexOf("\\Q", i);
            if (q < 0) {
                out.append(pattern, i, pattern.length());
                break;
            }
            out.append(pattern, i, q);
            int e = pattern.indexOf("\\E", q + 2);
            String lit = pattern.substring(q + 2, e < 0 ? pattern.length() : e);
            for (char ch : lit.toCharArray()) {
                if ("\\.[]{}()*+-?^$|&~#".indexOf(ch) >= 0) {
                    out.append('\\');
                }
                out.append(ch);
            }
            i = e < 0 ? pattern.length() : e + 2;
        }
        return out.toString();
    }

    void assign(Collection<TopicPartition> partitions) {
        if (partitions == null) {
            throw new IllegalArgumentException("Topic partition collection to assign to cannot be null");
        }
        long h = guard.acquire();
        try {
            if (partitions.isEmpty()) {
                unsubscribe();
                return;
            }
            for (TopicPartition tp : partitions) {
                if (tp == null || Utils.isBlank(tp.topic())) {
                    throw new IllegalArgumentException("Topic partitions to assign to cannot have null or empty topic");
                }
            }
            become(Source.ASSIGNED);
            Native.consumerAssign(h, Codec.tps(partitions));
            hasAssignmentSource = true;
        } finally {
            guard.release();
        }
    }

    void unsubscribe() {
        long h = guard.acquire();
        try {
            // As KafkaConsumer: a subscribed member's listener gives up its partitions, then the
            // member leaves the group (the core sends LeaveGroup); a listener's exception is
            // thrown after that.
            RebalanceBridge b = bridge;
            if (b != null && !subscription().isEmpty()) {
                b.revoke(assignment());
            }
            Native.consumerUnsubscribe(h);
            hasAssignmentSource = false;
            source = Source.NONE;
            RuntimeException failure = b == null ? null : b.takeFailure();
            if (failure != null) {
                throw failure;
            }
        } finally {
            guard.release();
        }
    }

    /** Throws what the rebalance listener threw during the last native call, as KafkaConsumer does. */
    void rethrowListenerFailure() {
        RebalanceBridge b = bridge;
        RuntimeException f = b == null ? null : b.takeFailure();
        if (f != null) {
            throw f instanceof KafkaException ? f : new KafkaException("User rebalance callback throws an error", f);
        }
    }
}
