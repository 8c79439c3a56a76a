// The package root: kafkajs 2.2.4's exports (Kafka, enums, Partitioners, PartitionAssigners,
// AssignerProtocol, every error class) and its types.

export { Kafka } from './kafka'
export type { KafkaConfig, AdminConfig, BrokersFunction } from './kafka'
export {
  CompressionTypes,
  CompressionCodecs,
  logLevel,
  ConfigResourceTypes,
  ResourceTypes,
  ConfigSource,
  AclResourceTypes,
  AclOperationTypes,
  AclPermissionTypes,
  ResourcePatternTypes,
  AssignerProtocol,
  PartitionAssigners,
} from './constants'
export type { PartitionAssigner, MemberMetadata, MemberAssignment } from './constants'
export { Partitioners } from './partitioners'
export type { ICustomPartitioner, PartitionerArgs, PartitionMetadata } from './partitioners'
export type { Logger, LogEntry, logCreator, LoggerEntryContent } from './logger'
export type { RetryOptions } from './config'
export type { InstrumentationEvent, RemoveInstrumentationEventListener } from './events'
export { Producer } from './producer'
export type { ProducerConfig, ProducerRecord, ProducerBatch, RecordMetadata, Message, TopicMessages, IHeaders, ProducerEvents } from './producer'
export { Consumer } from './consumer'
export type {
  ConsumerConfig,
  ConsumerRunConfig,
  ConsumerSubscribeTopics,
  ConsumerSubscribeTopic,
  EachMessagePayload,
  EachBatchPayload,
  EachMessageHandler,
  EachBatchHandler,
  KafkaMessage,
  Batch,
  TopicPartition,
  TopicPartitionOffset,
  TopicPartitionOffsetAndMetadata,
  TopicPartitions,
  Offsets,
  TopicOffsets,
  PartitionOffset,
  GroupDescription,
  MemberDescription,
  ConsumerGroupState,
  ConsumerEvents,
} from './consumer'
export type { EachMessagePayload as ConsumerEachMessagePayload, EachBatchPayload as ConsumerEachBatchPayload } from './consumer'
export { Admin } from './admin'
export type { ITopicConfig, SeekEntry } from './admin'
export {
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSProtocolError,
  KafkaJSOffsetOutOfRange,
  KafkaJSMemberIdRequired,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSConnectionError,
  KafkaJSConnectionClosedError,
  KafkaJSRequestTimeoutError,
  KafkaJSMetadataNotLoaded,
  KafkaJSTopicMetadataNotLoaded,
  KafkaJSStaleTopicMetadataAssignment,
  KafkaJSServerDoesNotSupportApiKey,
  KafkaJSBrokerNotFound,
  KafkaJSPartialMessageError,
  KafkaJSSASLAuthenticationError,
  KafkaJSGroupCoordinatorNotFound,
  KafkaJSNotImplemented,
  KafkaJSTimeout,
  KafkaJSLockTimeout,
  KafkaJSUnsupportedMagicByteInMessageSet,
  KafkaJSDeleteGroupsError,
  KafkaJSDeleteTopicRecordsError,
  KafkaJSCreateTopicError,
  KafkaJSAlterPartitionReassignmentsError,
  KafkaJSAggregateError,
  KafkaJSFetcherRebalanceError,
  KafkaJSNoBrokerAvailableError,
  KafkaJSInvalidVarIntError,
  KafkaJSInvalidLongError,
  KafkaJSInvariantViolation,
} from './errors'
