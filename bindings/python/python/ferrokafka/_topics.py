"""Client-side topic name checks, as kafka-python does them (``kafka.util``).

Owns ``ensure_valid_topic_name``: kafka-python raises ``TypeError``/``ValueError`` for an
illegal name before anything reaches the broker, so ferrokafka raises the same.
"""
import re

TOPIC_MAX_LENGTH = 249
TOPIC_LEGAL_CHARS = re.compile("^[a-zA-Z0-9._-]+$")


def ensure_valid_topic_name(topic):
    if topic is None:
        raise TypeError("All topics must not be None")
    if not isinstance(topic, str):
        raise TypeError("All topics must be strings")
    if len(topic) == 0:
        raise ValueError("All topics must be non-empty strings")
    if topic == "." or topic == "..":
        raise ValueError('Topic name cannot be "." or ".."')
    if len(topic) > TOPIC_MAX_LENGTH:
        raise ValueError('Topic name is illegal, it can\'t be longer than {0} characters, topic: "{1}"'.format(
            TOPIC_MAX_LENGTH, topic))
    if not TOPIC_LEGAL_CHARS.match(topic):
        raise ValueError('Topic name "{0}" is illegal, it contains a character other than ASCII '
                         'alphanumerics, ".", "_" and "-"'.format(topic))
