import { isIP } from 'node:net'
import { ConfigError } from './config.ts'

/**
 * Outbound safety for http steps, as decisions on an already resolved address (the runner resolves DNS,
 * then asks here for every address it would connect to; redirects are not followed).
 *
 * - NEVER, whatever OUTBOUND_ALLOW_PRIVATE or OUTBOUND_ALLOWLIST say (the contract's "never"):
 *   link-local 169.254.0.0/16 and fe80::/10 (which hold 169.254.169.254, the metadata address of AWS, GCP,
 *   Azure, OCI and DigitalOcean), the other cloud-metadata addresses fd00:ec2::254 (AWS IPv6),
 *   100.100.100.200 (Alibaba) and 168.63.129.16 (Azure wire server), and addresses no HTTP server can
 *   hold: multicast (224.0.0.0/4, ff00::/8), 240.0.0.0/4 and broadcast.
 * - Only with allowPrivate, or when the host or the address is in the allowlist: loopback (127.0.0.0/8,
 *   ::1), "this network" 0.0.0.0/8 and :: (both reach the local host), private 10/8, 172.16/12,
 *   192.168/16, CGNAT 100.64/10, 192.0.0.0/24, benchmarking 198.18/15, unique-local fc00::/7 and the
 *   deprecated site-local fec0::/10.
 * - IPv6 forms that carry an IPv4 address are judged by that address too (the stricter verdict wins):
 *   IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96 and 64:ff9b:1::/48, 6to4
 *   2002::/16.
 * - Everything else (public addresses) is allowed; the allowlist only widens, it never restricts.
 * An address that does not parse is refused.
 *
 * OUTBOUND_ALLOWLIST: comma-separated hosts (`api.internal`, `*.corp.example` for every subdomain),
 * IP addresses and CIDRs (`10.1.0.0/16`, `fd12:3456::/32`).
 */

type Family = 4 | 6
interface Cidr {
  family: Family
  base: bigint
  prefix: number
}

export interface OutboundAllowlist {
  /** Exact host names, lower case, no trailing dot. */
  hosts: string[]
  /** From `*.example.com`: `.example.com` (subdomains only). */
  hostSuffixes: string[]
  cidrs: Cidr[]
}

export type OutboundBlockReason =
  | 'invalid_address'
  | 'link_local'
  | 'metadata'
  | 'reserved'
  | 'loopback'
  | 'private'

export type OutboundVerdict =
  | { allowed: true }
  | { allowed: false; reason: OutboundBlockReason; detail: string }

interface Parsed {
  family: Family
  value: bigint
}

function parseIpv4(text: string): bigint | null {
  const parts = text.split('.')
  if (parts.length !== 4) return null
  let v = 0n
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null
    v = (v << 8n) | BigInt(Number(p))
  }
  return v
}

function parseIpv6(text: string): bigint | null {
  let s = text
  // An embedded dotted quad at the end stands for the last two groups.
  const lastColon = s.lastIndexOf(':')
  if (s.includes('.', lastColon)) {
    const v4 = parseIpv4(s.slice(lastColon + 1))
    if (v4 === null) return null
    s = `${s.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`
  }
  const halves = s.split('::')
  if (halves.length > 2) return null
  const group = (g: string) => (g === '' ? [] : g.split(':'))
  const head = group(halves[0]!)
  const tail = halves.length === 2 ? group(halves[1]!) : []
  const given = head.length + tail.length
  if (halves.length === 1 ? given !== 8 : given > 7) return null
  const groups = [...head, ...Array<string>(8 - given).fill('0'), ...tail]
  let v = 0n
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return null
    v = (v << 16n) | BigInt(`0x${g}`)
  }
  return v
}

/** Strips `[…]` and an IPv6 zone id (`%eth0`); lower case. */
function normalizeAddress(ip: string): string {
  let s = ip.trim().toLowerCase()
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1)
  const zone = s.indexOf('%')
  if (zone >= 0) s = s.slice(0, zone)
  return s
}

function parseIp(ip: string): Parsed | null {
  const s = normalizeAddress(ip)
  const family = isIP(s)
  if (family === 4) {
    const v = parseIpv4(s)
    return v === null ? null : { family: 4, value: v }
  }
  if (family === 6) {
    const v = parseIpv6(s)
    return v === null ? null : { family: 6, value: v }
  }
  return null
}

function cidr(text: string): Cidr | null {
  const [addr, bits, extra] = text.split('/')
  if (extra !== undefined || addr === undefined) return null
  const p = parseIp(addr)
  if (!p) return null
  const width = p.family === 4 ? 32 : 128
  if (bits !== undefined && !/^\d{1,3}$/.test(bits)) return null
  const prefix = bits === undefined ? width : Number(bits)
  if (prefix > width) return null
  const shift = BigInt(width - prefix)
  return { family: p.family, base: (p.value >> shift) << shift, prefix }
}

function inCidr(p: Parsed, c: Cidr): boolean {
  if (p.family !== c.family) return false
  const shift = BigInt((c.family === 4 ? 32 : 128) - c.prefix)
  return p.value >> shift === c.base >> shift
}

function ranges(list: string[]): Cidr[] {
  return list.map((text) => {
    const c = cidr(text)
    if (!c) throw new Error(`bad built-in range ${text}`)
    return c
  })
}

type Category = 'public' | OutboundBlockReason
/** Checked in this order; the first match decides an address's category. */
const CATEGORIES: [Exclude<Category, 'public' | 'invalid_address'>, Cidr[]][] = [
  ['metadata', ranges(['fd00:ec2::254/128', '100.100.100.200/32', '168.63.129.16/32'])],
  ['link_local', ranges(['169.254.0.0/16', 'fe80::/10'])],
  ['reserved', ranges(['224.0.0.0/4', '240.0.0.0/4', 'ff00::/8'])],
  ['loopback', ranges(['127.0.0.0/8', '::1/128', '0.0.0.0/8', '::/128'])],
  [
    'private',
    ranges([
      '10.0.0.0/8',
      '172.16.0.0/12',
      '192.168.0.0/16',
      '100.64.0.0/10',
      '192.0.0.0/24',
      '198.18.0.0/15',
      'fc00::/7',
      'fec0::/10',
    ]),
  ],
]
const NEVER: ReadonlySet<Category> = new Set(['metadata', 'link_local', 'reserved'])
const SEVERITY: Category[] = ['metadata', 'link_local', 'reserved', 'loopback', 'private', 'public']

function categoryOf(p: Parsed): Category {
  for (const [name, list] of CATEGORIES) if (list.some((c) => inCidr(p, c))) return name
  return 'public'
}

const EMBEDDING: { range: Cidr; shift: bigint }[] = [
  { range: cidr('::ffff:0:0/96')!, shift: 0n },
  { range: cidr('::/96')!, shift: 0n },
  { range: cidr('64:ff9b::/96')!, shift: 0n },
  { range: cidr('64:ff9b:1::/48')!, shift: 0n },
  { range: cidr('2002::/16')!, shift: 80n },
]

/** The IPv4 address an IPv6 one carries (mapped, compatible, NAT64, 6to4), if any. */
function embeddedIpv4(p: Parsed): Parsed | null {
  if (p.family !== 6) return null
  // :: and ::1 are themselves, not 0.0.0.0 and 0.0.0.1.
  if (p.value <= 1n) return null
  for (const e of EMBEDDING)
    if (inCidr(p, e.range)) return { family: 4, value: (p.value >> e.shift) & 0xffffffffn }
  return null
}

function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase()
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1)
  while (h.endsWith('.')) h = h.slice(0, -1)
  return h
}

/** Parses OUTBOUND_ALLOWLIST. Throws ConfigError naming the variable on an entry that is not a host or CIDR. */
export function parseAllowlist(env: string | undefined): OutboundAllowlist {
  const list: OutboundAllowlist = { hosts: [], hostSuffixes: [], cidrs: [] }
  for (const [index, raw] of (env ?? '').split(',').entries()) {
    const entry = raw.trim()
    if (entry === '') continue
    const c = cidr(entry.replace(/^\[(.*)\]$/, '$1'))
    if (c) {
      list.cidrs.push(c)
      continue
    }
    const host = normalizeHost(entry)
    const wildcard = host.startsWith('*.')
    const name = wildcard ? host.slice(2) : host
    const label = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/
    const labels = name.split('.')
    // A numeric last label is a malformed address, not a host name (no top-level domain is numeric).
    const numeric = /^\d+$/.test(labels.at(-1)!)
    if (name.length > 253 || entry.includes('/') || numeric || !labels.every((l) => label.test(l)))
      throw new ConfigError(
        'OUTBOUND_ALLOWLIST',
        `entry ${index + 1} (of the comma-separated list) is not a host name, IP address or CIDR`,
      )
    if (wildcard) list.hostSuffixes.push(`.${name}`)
    else list.hosts.push(name)
  }
  return list
}

function hostAllowlisted(host: string, list: OutboundAllowlist): boolean {
  const h = normalizeHost(host)
  if (h === '') return false
  return list.hosts.includes(h) || list.hostSuffixes.some((suffix) => h.endsWith(suffix))
}

/**
 * The refusal as a tenant sees it (in its execution's step error): the host of its URL and that it is blocked,
 * never the address it resolved to nor why that address is blocked, which would tell a tenant what an internal
 * name resolves to (`vm (127.0.0.1) is a loopback address`). `reason` stays in the verdict for operators.
 */
function blocked(reason: OutboundBlockReason, host: string): OutboundVerdict {
  const who = normalizeHost(host) || 'the host'
  return {
    allowed: false,
    reason,
    detail: `${who} is not a destination http steps may reach (blocked address; operators: OUTBOUND_ALLOW_PRIVATE, OUTBOUND_ALLOWLIST)`,
  }
}

/** May an http step whose URL names `host` connect to the resolved address `ip`? */
export function checkOutboundAddress(
  ip: string,
  host: string,
  opts: { allowPrivate: boolean; allowlist: OutboundAllowlist },
): OutboundVerdict {
  const p = parseIp(ip)
  if (!p) return blocked('invalid_address', host)
  const v4 = embeddedIpv4(p)
  const candidates = v4 ? [p, v4] : [p]
  let category: Category = 'public'
  for (const c of candidates) {
    const cat = categoryOf(c)
    if (SEVERITY.indexOf(cat) < SEVERITY.indexOf(category)) category = cat
  }
  if (category === 'public') return { allowed: true }
  if (NEVER.has(category)) return blocked(category as OutboundBlockReason, host)
  if (opts.allowPrivate) return { allowed: true }
  if (hostAllowlisted(host, opts.allowlist)) return { allowed: true }
  if (candidates.some((c) => opts.allowlist.cidrs.some((r) => inCidr(c, r)))) return { allowed: true }
  return blocked(category as OutboundBlockReason, host)
}
