// Topic-name rules (Kafka's: 1–249 of [a-zA-Z0-9._-], not "." or ".."), checked before a
// request is built so a bad name fails at once with Kafka's INVALID_TOPIC_EXCEPTION.

import { KafkaJSNonRetriableError, KafkaJSProtocolError } from './errors'

const LEGAL = /^[a-zA-Z0-9._-]+$/

export function validateTopic(topic: unknown): asserts topic is string {
  if (typeof topic !== 'string' || topic.length === 0) {
    throw new KafkaJSNonRetriableError(`Invalid topic ${JSON.stringify(topic)}: expected a non-empty string`)
  }
  if (topic.length > 249 || topic === '.' || topic === '..' || !LEGAL.test(topic)) {
    // As kafkajs: a non-retriable error whose cause is the protocol's INVALID_TOPIC_EXCEPTION.
    const cause = new KafkaJSProtocolError({
      message: `Invalid topic name ${JSON.stringify(topic)}: use 1 to 249 of the characters a-z A-Z 0-9 . _ -`,
      type: 'INVALID_TOPIC_EXCEPTION',
      code: 17,
      retriable: false,
    })
    throw new KafkaJSNonRetriableError(cause, { cause })
  }
}
