// kafkajs's Batch as eachBatch receives it: the fields and methods of kafkajs's
// `consumer/batch.js` over one partition's polled messages. Owns that class only.

import type { Batch, KafkaMessage } from './consumerTypes'

/**
 * kafkajs's Batch: the same own fields (`fetchedOffset`, `topic`, `partition`, `highWatermark`,
 * `rawMessages`, `messagesWithinOffset`, `messages`) and methods on the prototype. The core
 * hands out only records at or after the fetch position, never control records, so the three
 * message lists are one.
 */
export class FetchedBatch implements Batch {
  readonly fetchedOffset: string
  readonly topic: string
  readonly partition: number
  readonly highWatermark: string
  readonly rawMessages: KafkaMessage[]
  readonly messagesWithinOffset: KafkaMessage[]
  readonly messages: KafkaMessage[]
  constructor(topic: string, partition: number, highWatermark: string, messages: KafkaMessage[]) {
    // Assigned in kafkajs's order, so the own keys come out in the same order.
    this.fetchedOffset = messages.length ? messages[0].offset : highWatermark
    this.topic = topic
    this.partition = partition
    this.highWatermark = highWatermark
    this.rawMessages = messages
    this.messagesWithinOffset = messages
    this.messages = messages
  }
  isEmpty(): boolean {
    return this.messages.length === 0
  }
  isEmptyIncludingFiltered(): boolean {
    return this.messagesWithinOffset.length === 0
  }
  isEmptyDueToFiltering(): boolean {
    return this.isEmpty() && this.rawMessages.length > 0
  }
  isEmptyControlRecord(): boolean {
    return false
  }
  isEmptyDueToLogCompactedMessages(): boolean {
    return this.rawMessages.length > 0 && this.isEmptyIncludingFiltered()
  }
  firstOffset(): string | null {
    return this.isEmptyIncludingFiltered() ? null : this.messagesWithinOffset[0].offset
  }
  lastOffset(): string {
    if (this.isEmptyIncludingFiltered()) return String(BigInt(this.highWatermark) - 1n)
    return this.messagesWithinOffset[this.messagesWithinOffset.length - 1].offset
  }
  offsetLag(): string {
    return String(BigInt(this.highWatermark) - 1n - BigInt(this.lastOffset()))
  }
  offsetLagLow(): string {
    const first = this.firstOffset()
    return first === null ? '0' : String(BigInt(this.highWatermark) - 1n - BigInt(first))
  }
}
