// kafkajs's exported enums and registries: CompressionTypes, CompressionCodecs, logLevel,
// config/ACL resource enums, AssignerProtocol (the consumer-protocol encoding) and
// PartitionAssigners. Values are kafkajs's; no behaviour lives here.

export enum CompressionTypes {
  None = 0,
  GZIP = 1,
  Snappy = 2,
  LZ4 = 3,
  ZSTD = 4,
}

/** kafkajs's codec registry. The native core implements every codec, so entries are optional
 * and assignments (e.g. `CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec`) are
 * accepted and not needed. */
export const CompressionCodecs: { [key in CompressionTypes]?: () => unknown } = {}

export enum logLevel {
  NOTHING = 0,
  ERROR = 1,
  WARN = 2,
  INFO = 4,
  DEBUG = 5,
}

export enum ConfigResourceTypes {
  UNKNOWN = 0,
  TOPIC = 2,
  BROKER = 4,
  BROKER_LOGGER = 8,
}

/** @deprecated kafkajs's old name of ConfigResourceTypes. */
export const ResourceTypes = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
} as const

export enum ConfigSource {
  UNKNOWN = 0,
  TOPIC_CONFIG = 1,
  DYNAMIC_BROKER_CONFIG = 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG = 3,
  STATIC_BROKER_CONFIG = 4,
  DEFAULT_CONFIG = 5,
  DYNAMIC_BROKER_LOGGER_CONFIG = 6,
}

export enum AclResourceTypes {
  UNKNOWN = 0,
  ANY = 1,
  TOPIC = 2,
  GROUP = 3,
  CLUSTER = 4,
  TRANSACTIONAL_ID = 5,
  DELEGATION_TOKEN = 6,
}

export enum AclPermissionTypes {
  UNKNOWN = 0,
  ANY = 1,
  DENY = 2,
  ALLOW = 3,
}

export enum AclOperationTypes {
  UNKNOWN = 0,
  ANY = 1,
  ALL = 2,
  READ = 3,
  WRITE = 4,
  CREATE = 5,
  DELETE = 6,
  ALTER = 7,
  DESCRIBE = 8,
  CLUSTER_ACTION = 9,
  DESCRIBE_CONFIGS = 10,
  ALTER_CONFIGS = 11,
  IDEMPOTENT_WRITE = 12,
}

export enum ResourcePatternTypes {
  UNKNOWN = 0,
  ANY = 1,
  MATCH = 2,
  LITERAL = 3,
  PREFIXED = 4,
}

export interface MemberMetadata {
  version: number
  topics: string[]
  userData: Buffer
}

export interface MemberAssignment {
  version: number
  assignment: { [topic: string]: number[] }
  userData: Buffer
}

class Writer {
  private parts: Buffer[] = []
  int16(v: number): this {
    const b = Buffer.alloc(2)
    b.writeInt16BE(v)
    this.parts.push(b)
    return this
  }
  int32(v: number): this {
    const b = Buffer.alloc(4)
    b.writeInt32BE(v)
    this.parts.push(b)
    return this
  }
  string(s: string): this {
    const b = Buffer.from(s)
    this.int16(b.length)
    this.parts.push(b)
    return this
  }
  bytes(b: Buffer): this {
    this.int32(b.length)
    this.parts.push(b)
    return this
  }
  done(): Buffer {
    return Buffer.concat(this.parts)
  }
}

class Reader {
  private at = 0
  constructor(private buf: Buffer) {}
  int16(): number {
    const v = this.buf.readInt16BE(this.at)
    this.at += 2
    return v
  }
  int32(): number {
    const v = this.buf.readInt32BE(this.at)
    this.at += 4
    return v
  }
  string(): string {
    const n = this.int16()
    const s = this.buf.toString('utf8', this.at, this.at + n)
    this.at += n
    return s
  }
  bytes(): Buffer {
    const n = this.int32()
    if (n < 0) return Buffer.alloc(0)
    const b = this.buf.subarray(this.at, this.at + n)
    this.at += n
    return Buffer.from(b)
  }
  more(): boolean {
    return this.at < this.buf.length
  }
}

/** The consumer protocol's embedded encodings (as kafkajs's AssignerProtocol). */
export const AssignerProtocol = {
  MemberMetadata: {
    encode({ version, topics, userData = Buffer.alloc(0) }: MemberMetadata): Buffer {
      const w = new Writer().int16(version).int32(topics.length)
      topics.forEach((t) => w.string(t))
      return w.bytes(userData).done()
    },
    decode(buffer: Buffer): MemberMetadata | null {
      if (!buffer || buffer.length === 0) return null
      const r = new Reader(buffer)
      const version = r.int16()
      const n = r.int32()
      const topics: string[] = []
      for (let i = 0; i < n; i++) topics.push(r.string())
      return { version, topics, userData: r.more() ? r.bytes() : Buffer.alloc(0) }
    },
  },
  MemberAssignment: {
    encode({ version, assignment, userData = Buffer.alloc(0) }: MemberAssignment): Buffer {
      const topics = Object.keys(assignment)
      const w = new Writer().int16(version).int32(topics.length)
      for (const t of topics) {
        w.string(t).int32(assignment[t].length)
        assignment[t].forEach((p) => w.int32(p))
      }
      return w.bytes(userData).done()
    },
    decode(buffer: Buffer): MemberAssignment | null {
      if (!buffer || buffer.length === 0) return null
      const r = new Reader(buffer)
      const version = r.int16()
      const n = r.int32()
      const assignment: { [topic: string]: number[] } = {}
      for (let i = 0; i < n; i++) {
        const t = r.string()
        const m = r.int32()
        const ps: number[] = []
        for (let j = 0; j < m; j++) ps.push(r.int32())
        assignment[t] = ps
      }
      return { version, assignment, userData: r.more() ? r.bytes() : Buffer.alloc(0) }
    },
  },
}

/** A partition assigner factory; the core runs the assignment, selected by `protocolName`. */
export interface PartitionAssigner {
  (config: { cluster?: unknown; groupId: string; logger?: unknown }): { name: string; version: number }
  /** The core assignor this stands for (`RoundRobinAssigner`, `range`, `cooperative-sticky`). */
  protocolName?: string
}

function assigner(name: string, protocolName: string): PartitionAssigner {
  const f: PartitionAssigner = () => ({ name, version: 0 })
  f.protocolName = protocolName
  return f
}

export const PartitionAssigners = {
  // kafkajs's protocol name on the wire, so kafkajs and ferrokafka members can share a group.
  roundRobin: assigner('RoundRobinAssigner', 'RoundRobinAssigner'),
  /** ferrokafka extras: the Java client's assignors. */
  range: assigner('RangeAssignor', 'range'),
  cooperativeSticky: assigner('CooperativeStickyAssignor', 'cooperative-sticky'),
}
