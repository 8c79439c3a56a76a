"""The four event topics of the service (3 partitions, 7 days' retention each), their JSON
schemas (checked before sending) and topic creation with the admin client."""
import time

from ferrokafka.admin import KafkaAdminClient, NewTopic
from ferrokafka.errors import TopicAlreadyExistsError

SEVEN_DAYS_MS = str(7 * 24 * 3600 * 1000)

TOPICS = {
    "user-activities": ("userId", ["userId", "action"]),
    "system-metrics": ("metricName", ["metricName", "value", "unit"]),
    "error-logs": ("service", ["service", "errorType", "message", "severity"]),
    "notifications": ("type", ["type", "message", "recipients"]),
}
GROUP = "smg-kafka-group"


class SchemaError(ValueError):
    pass


def validate(topic, event):
    """Required fields present and of a JSON type: refuse the event before it is sent."""
    _, required = TOPICS[topic]
    missing = [f for f in required if f not in event]
    if missing:
        raise SchemaError("%s event lacks %s" % (topic, ", ".join(missing)))
    if topic == "system-metrics" and not isinstance(event["value"], (int, float)):
        raise SchemaError("system-metrics value must be a number")
    if topic == "error-logs" and event["severity"] not in ("info", "warning", "error", "critical"):
        raise SchemaError("error-logs severity must be info, warning, error or critical")


def ensure_topics(bootstrap_servers):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="smg-admin")
    try:
        existing = set(admin.list_topics())
        new = [NewTopic(t, num_partitions=3, replication_factor=1,
                        topic_configs={"retention.ms": SEVEN_DAYS_MS})
               for t in TOPICS if t not in existing]
        if new:
            try:
                admin.create_topics(new)
            except TopicAlreadyExistsError:
                pass
    finally:
        admin.close()


def now_ms():
    return int(time.time() * 1000)
