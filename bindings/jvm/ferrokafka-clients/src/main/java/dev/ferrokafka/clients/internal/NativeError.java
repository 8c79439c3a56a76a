// The one mapping from a core error (kind number + Kafka error code) to the exception the Java
// client throws: a Kafka error code goes through kafka-clients' own Errors table; otherwise
// the kind picks the org.apache.kafka.common.errors class. Called from native code.
package dev.ferrokafka.clients.internal;

import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownProducerIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.protocol.Errors;

public final class NativeError {
    public static final int CONFIG = 0, NETWORK = 1, TIMEOUT = 2, PROTOCOL = 3, UNSUPPORTED_VERSION = 4,
            CLOSED = 5, BUFFER_EXHAUSTED = 6, RECORD_TOO_LARGE = 7, INVALID_RECORD = 8, UNKNOWN_TOPIC = 9,
            INVALID_TOPIC = 10, TOPIC_EXISTS = 11, NOT_LEADER = 12, NOT_ENOUGH_REPLICAS = 13,
            OUT_OF_ORDER_SEQUENCE = 14, UNKNOWN_PRODUCER_ID = 15, PRODUCER_FENCED = 16, AUTHORIZATION = 17,
            OFFSET_OUT_OF_RANGE = 18, COORDINATOR = 19, REBALANCE = 20, BROKER = 21, INTERNAL = 22, AUTHENTICATION = 23,
            WAKEUP = 100, ILLEGAL_STATE = 101, ILLEGAL_ARGUMENT = 102, TIMEOUT_UNKNOWN_TOPIC = 103;

    private NativeError() {}

    /**
     * The exception for a native failure; `code` is the Kafka error code or -1. For a code the
     * message is the broker's (an empty one too, as kafka-clients hands it on), or null when it
     * sent none: then, as kafka-clients' {@code Errors.exception(null)}, the code's default
     * message.
     */
    public static RuntimeException create(int kind, int code, String message) {
        if (code > 0) {
            Errors e = Errors.forCode((short) code);
            if (e != Errors.UNKNOWN_SERVER_ERROR || code == Errors.UNKNOWN_SERVER_ERROR.code()) {
                return e.exception(message == null ? e.message() : message);
            }
            if (message == null || message.isEmpty()) {
                message = "The broker returned error code " + code;
            }
        }
        return switch (kind) {
            case CONFIG -> new ConfigException(message);
            case NETWORK -> new NetworkException(message);
            case TIMEOUT -> new TimeoutException(message);
            case UNSUPPORTED_VERSION -> new UnsupportedVersionException(message);
            case BUFFER_EXHAUSTED -> new BufferExhaustedException(message);
            case RECORD_TOO_LARGE -> new RecordTooLargeException(message);
            case INVALID_RECORD -> new InvalidRecordException(message);
            case UNKNOWN_TOPIC -> new UnknownTopicOrPartitionException(message);
            case INVALID_TOPIC -> new InvalidTopicException(message);
            case TOPIC_EXISTS -> new TopicExistsException(message);
            case NOT_LEADER -> new NotLeaderOrFollowerException(message);
            case NOT_ENOUGH_REPLICAS -> new NotEnoughReplicasException(message);
            case OUT_OF_ORDER_SEQUENCE -> new OutOfOrderSequenceException(message);
            case UNKNOWN_PRODUCER_ID -> new UnknownProducerIdException(message);
            case PRODUCER_FENCED -> new ProducerFencedException(message);
            case AUTHORIZATION -> new AuthorizationException(message);
            // Without a Kafka code (SASL failures carry one) an authentication error is the TLS
            // handshake's, which kafka-clients reports as SslAuthenticationException.
            case AUTHENTICATION -> new SslAuthenticationException(message);
            case OFFSET_OUT_OF_RANGE -> new OffsetOutOfRangeException(message);
            case COORDINATOR -> new CoordinatorNotAvailableException(message);
            case REBALANCE -> new RebalanceInProgressException(message);
            case WAKEUP -> new WakeupException();
            case ILLEGAL_STATE -> new IllegalStateException(message);
            case ILLEGAL_ARGUMENT -> new IllegalArgumentException(message);
            // KafkaProducer's waitOnMetadata timeout while the broker answered the topic unknown.
            case TIMEOUT_UNKNOWN_TOPIC -> new TimeoutException(message, Errors.UNKNOWN_TOPIC_OR_PARTITION.exception(
                    Errors.UNKNOWN_TOPIC_OR_PARTITION.message()));
            default -> new KafkaException(message);
        };
    }
}
