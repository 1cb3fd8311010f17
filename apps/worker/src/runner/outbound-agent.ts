import dns from 'node:dns'
import { isIP, type LookupFunction } from 'node:net'
import { checkOutboundAddress, type OutboundAllowlist, parseAllowlist } from '@punctual/core'
import { Agent, buildConnector } from 'undici'

/**
 * The one undici Agent every http step of a runner goes through: keep-alive connection pools per origin,
 * and the contract's outbound-safety rule enforced where the socket is opened, on the resolved address.
 *
 * - A host name is resolved with dns.lookup (all addresses); every address is checked with core
 *   checkOutboundAddress, and the socket connects to exactly those checked addresses (the custom `lookup`
 *   hands them to net.connect), so a DNS answer that changes between the check and the connect (rebinding)
 *   cannot slip in. One blocked address blocks the name.
 * - An IP literal never reaches `lookup` (net.connect skips it): the connector checks it first.
 * - A refused connection fails with OutboundBlockedError before a byte is sent. Redirects are never followed
 *   (undici's request does not follow them without the redirect interceptor, which is not installed).
 * Pooled connections were checked when they were opened; a reused one goes to the same address.
 */

export interface OutboundPolicy {
  /** OUTBOUND_ALLOW_PRIVATE: loopback and private ranges are reachable. */
  allowPrivate: boolean
  /** OUTBOUND_ALLOWLIST: comma-separated hosts or CIDRs that widen the rule. */
  allowlist: string | undefined
}

export class OutboundBlockedError extends Error {
  readonly code = 'OUTBOUND_BLOCKED'
  constructor(detail: string) {
    super(`outbound request blocked: ${detail}`)
    this.name = 'OutboundBlockedError'
  }
}

export interface OutboundAgentOptions {
  /** TCP/TLS connect timeout (ms). Default 10000; a step's own timeout still cuts earlier. */
  connectTimeoutMs?: number
  /** How long an idle keep-alive socket stays in the pool (ms). Default 4000. */
  keepAliveTimeoutMs?: number
  /** Sockets per origin. Default unlimited (bounded by the runner's concurrency). */
  connectionsPerOrigin?: number
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}

/** A net `lookup` that only ever returns addresses the policy allows. */
export function checkedLookup(policy: OutboundPolicy): LookupFunction {
  const opts = { allowPrivate: policy.allowPrivate, allowlist: parseAllowlist(policy.allowlist) }
  return (hostname, options, callback) => {
    const family = typeof options.family === 'number' ? options.family : 0
    dns.lookup(hostname, { all: true, family, hints: options.hints ?? 0 }, (err, addresses) => {
      if (err) return callback(err, options.all ? [] : '', 0)
      if (addresses.length === 0) {
        const e = Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' })
        return callback(e, options.all ? [] : '', 0)
      }
      for (const a of addresses) {
        const verdict = checkOutboundAddress(a.address, hostname, opts)
        if (!verdict.allowed)
          return callback(new OutboundBlockedError(verdict.detail), options.all ? [] : '', 0)
      }
      if (options.all) return callback(null, addresses)
      callback(null, addresses[0]!.address, addresses[0]!.family)
    })
  }
}

/** The policy check for a host that is an IP literal; null when the host is a name (checked at lookup). */
export function checkLiteralHost(
  host: string,
  policy: { allowPrivate: boolean; allowlist: OutboundAllowlist },
): OutboundBlockedError | null {
  const bare = stripBrackets(host)
  if (isIP(bare) === 0) return null
  const verdict = checkOutboundAddress(bare, bare, policy)
  return verdict.allowed ? null : new OutboundBlockedError(verdict.detail)
}

export function createOutboundAgent(policy: OutboundPolicy, opts: OutboundAgentOptions = {}): Agent {
  const allowlist = parseAllowlist(policy.allowlist)
  const connectTimeout = opts.connectTimeoutMs ?? 10_000
  const connector = buildConnector({ timeout: connectTimeout, lookup: checkedLookup(policy) })
  return new Agent({
    keepAliveTimeout: opts.keepAliveTimeoutMs ?? 4000,
    ...(opts.connectionsPerOrigin ? { connections: opts.connectionsPerOrigin } : {}),
    connect(options, callback) {
      const hostname = stripBrackets(options.hostname)
      const blocked = checkLiteralHost(hostname, { allowPrivate: policy.allowPrivate, allowlist })
      if (blocked) {
        callback(blocked, null)
        return
      }
      connector({ ...options, hostname }, callback)
    },
  })
}
