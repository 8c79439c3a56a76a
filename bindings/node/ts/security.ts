// Maps kafkajs's `ssl` and `sasl` client options onto the core's security properties
// (security.protocol, ssl.ca.pem / ssl.certificate.pem / ssl.key.pem — kafkajs hands PEM text,
// not file names — enable.ssl.certificate.verification, ssl.enabled.protocols from minVersion /
// maxVersion, ssl.cipher.suites from ciphers, sasl.mechanism/username/password).
// Owns no I/O; anything kafkajs accepts that the core cannot do fails with a message saying so.

import { KafkaJSNonRetriableError } from './errors'

type Props = Record<string, string>

function pem(option: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  const items = Array.isArray(value) ? value : [value]
  return items
    .map((v) => {
      if (typeof v === 'string') return v
      if (Buffer.isBuffer(v)) return v.toString('utf8')
      if (v && typeof v === 'object' && 'pem' in v) return String((v as { pem: unknown }).pem)
      throw new KafkaJSNonRetriableError(`Invalid option ssl.${option}: expected PEM text (string or Buffer) or an array of them`)
    })
    .join('\n')
}

const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']

/** Node's `minVersion`/`maxVersion` (defaults TLSv1.2 / TLSv1.3) as `ssl.enabled.protocols`. */
function tlsVersions(min: unknown, max: unknown): string | undefined {
  if (min === undefined && max === undefined) return undefined
  const index = (option: string, v: unknown, dflt: string) => {
    const i = TLS_VERSIONS.indexOf(v === undefined ? dflt : String(v))
    if (i < 0) throw new KafkaJSNonRetriableError(`Invalid option ssl.${option}: expected one of ${TLS_VERSIONS.join(', ')}`)
    return i
  }
  const lo = index('minVersion', min, 'TLSv1.2')
  const hi = index('maxVersion', max, 'TLSv1.3')
  if (lo > hi) throw new KafkaJSNonRetriableError(`Invalid option ssl.minVersion: ${TLS_VERSIONS[lo]} is above ssl.maxVersion ${TLS_VERSIONS[hi]}`)
  // Versions below TLSv1.2 are passed on: the core skips them (rustls lacks them) and says so
  // when nothing is left.
  return TLS_VERSIONS.slice(lo, hi + 1).join(',')
}

/** Node's `ciphers` (OpenSSL's `:` list or expression) as `ssl.cipher.suites`, which takes both. */
function cipherNames(ciphers: unknown): string | undefined {
  if (ciphers === undefined || ciphers === null) return undefined
  if (typeof ciphers !== 'string') throw new KafkaJSNonRetriableError('Invalid option ssl.ciphers: expected a string')
  return ciphers.trim() || undefined
}

function sslProps(ssl: unknown): Props {
  if (ssl === true) return {}
  if (typeof ssl !== 'object' || ssl === null) {
    throw new KafkaJSNonRetriableError('Invalid option ssl: expected true or tls.ConnectionOptions ({ ca, cert, key, rejectUnauthorized })')
  }
  const o = ssl as Record<string, unknown>
  for (const unsupported of ['passphrase', 'pfx', 'crl']) {
    if (o[unsupported] !== undefined) {
      throw new KafkaJSNonRetriableError(
        `ssl.${unsupported} is not supported by ferrokafka: use PEM ca/cert and an unencrypted PEM key`,
      )
    }
  }
  const props: Props = {}
  const ca = pem('ca', o.ca)
  if (ca !== undefined) props['ssl.ca.pem'] = ca
  const cert = pem('cert', o.cert)
  if (cert !== undefined) props['ssl.certificate.pem'] = cert
  const key = pem('key', o.key)
  if (key !== undefined) props['ssl.key.pem'] = key
  if (o.rejectUnauthorized === false) props['enable.ssl.certificate.verification'] = 'false'
  else if (o.rejectUnauthorized !== undefined && o.rejectUnauthorized !== true) {
    throw new KafkaJSNonRetriableError('Invalid option ssl.rejectUnauthorized: expected a boolean')
  }
  const versions = tlsVersions(o.minVersion, o.maxVersion)
  if (versions !== undefined) props['ssl.enabled.protocols'] = versions
  const suites = cipherNames(o.ciphers)
  if (suites !== undefined) props['ssl.cipher.suites'] = suites
  // Node checks the host name unless checkServerIdentity says otherwise; a function that
  // accepts everything is the usual way to turn it off.
  if (typeof o.checkServerIdentity === 'function') {
    const accepts = (o.checkServerIdentity as (h: string, c: unknown) => unknown)('', {}) === undefined
    if (accepts) props['ssl.endpoint.identification.algorithm'] = ''
  }
  return props
}

const MECHANISMS: Record<string, string> = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
}

function saslProps(sasl: unknown): Props {
  if (typeof sasl !== 'object' || sasl === null) {
    throw new KafkaJSNonRetriableError("Invalid option sasl: expected { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512', username, password }")
  }
  const o = sasl as Record<string, unknown>
  const mechanism = MECHANISMS[String(o.mechanism ?? '').toLowerCase()]
  if (!mechanism) {
    throw new KafkaJSNonRetriableError(
      `SASL mechanism ${JSON.stringify(o.mechanism)} is not supported by ferrokafka: use 'plain', 'scram-sha-256' or 'scram-sha-512'`,
    )
  }
  if (typeof o.username !== 'string' || typeof o.password !== 'string') {
    throw new KafkaJSNonRetriableError(`Invalid option sasl: ${mechanism} needs string username and password`)
  }
  return { 'sasl.mechanism': mechanism, 'sasl.username': o.username, 'sasl.password': o.password }
}

/** The security properties of kafkajs's `ssl` and `sasl` options (empty for neither). */
export function securityProps(ssl: unknown, sasl: unknown): Props {
  const useSsl = ssl !== undefined && ssl !== null && ssl !== false
  const useSasl = sasl !== undefined && sasl !== null
  if (!useSsl && !useSasl) return {}
  const protocol = useSsl ? (useSasl ? 'SASL_SSL' : 'SSL') : 'SASL_PLAINTEXT'
  return {
    'security.protocol': protocol,
    ...(useSsl ? sslProps(ssl) : {}),
    ...(useSasl ? saslProps(sasl) : {}),
  }
}
