import { parsePlaceholderPath } from '../placeholders.ts'

/**
 * Tenant secrets in http steps (the contract's Secrets section and its `{{secrets.NAME}}` rules), as pure
 * decisions: which secrets a step refers to, whether its URL keeps a literal authority, whether a host may
 * receive a secret, and how a resolved value is masked wherever it could be shown.
 *
 * - A reference is a placeholder whose path is `secrets.NAME`, NAME `[A-Z][A-Z0-9_]{0,63}`; any other path
 *   under `secrets` (`{{secrets}}`, `{{secrets.a.b}}`, a lower-case name) is refused when the workflow is
 *   written: it could never resolve.
 * - Literal authority: in a step that uses a secret, everything in `url` from the start through the first
 *   `/`, `?` or `#` after `://` is literal text, with no placeholder (no `{{` at all) and no `@`. Without it
 *   `{{input.callbackUrl}}/x` or `https://api.example.com{{input.x}}` would let whoever sent the input choose
 *   where the secret goes.
 * - allowedHosts: host names (`api.example.com`), `*.example.com` for every subdomain (not the apex), or IP
 *   addresses; matched against the resolved URL's host name, port aside.
 */

export const SECRET_NAME_PATTERN = '^[A-Z][A-Z0-9_]{0,63}$'
const SECRET_NAME = new RegExp(SECRET_NAME_PATTERN)
/** A secret's value: at most 8 KiB of UTF-8. */
export const SECRET_VALUE_MAX_BYTES = 8192
/** The text a resolved value (or its URL-encoded or base64 form) reads as in outcomes, errors and logs. */
export const SECRET_MASK = '***'

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name)
}

/** What a step's secret placeholders say: the names it uses, and the placeholders that can never resolve. */
export interface StepSecretRefs {
  names: string[]
  /** `{ path, message }` for each bad `secrets` placeholder (path relative to the step: `url`, `headers.x`). */
  invalid: { path: string; message: string }[]
}

function scanText(text: string, path: string, names: Set<string>, invalid: StepSecretRefs['invalid']) {
  for (const m of text.matchAll(PLACEHOLDER)) {
    const segments = parsePlaceholderPath(m[1]!)
    if (segments?.[0] !== 'secrets') continue
    const name = segments[1]
    if (segments.length !== 2 || name === undefined || !isSecretName(name)) {
      invalid.push({
        path,
        message: `${m[0]} is not a secret reference: use {{secrets.NAME}}, NAME matching ${SECRET_NAME_PATTERN}`,
      })
    } else names.add(name)
  }
}

function scanJson(value: unknown, path: string, names: Set<string>, invalid: StepSecretRefs['invalid']) {
  if (typeof value === 'string') scanText(value, path, names, invalid)
  else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) scanJson(v, `${path}.${i}`, names, invalid)
  } else if (value !== null && typeof value === 'object') {
    // Object keys are never templated: only values are scanned.
    for (const [k, v] of Object.entries(value)) scanJson(v, `${path}.${k}`, names, invalid)
  }
}

/** The secrets an http step refers to in its url, header values and body (sorted, each once). */
export function stepSecretRefs(step: {
  url: string
  headers?: Readonly<Record<string, string>> | undefined
  body?: unknown
}): StepSecretRefs {
  const names = new Set<string>()
  const invalid: StepSecretRefs['invalid'] = []
  scanText(step.url, 'url', names, invalid)
  for (const [h, v] of Object.entries(step.headers ?? {})) scanText(v, `headers.${h}`, names, invalid)
  if (step.body !== undefined) scanJson(step.body, 'body', names, invalid)
  return { names: [...names].sort(), invalid }
}

/**
 * The literal start of a URL template through its authority (through the first `/`, `?` or `#` after `://`,
 * or the whole template when none follows), or null when that part holds a placeholder or an `@`, or there
 * is no `://`: such a step may not use a secret.
 */
export function literalAuthority(urlTemplate: string): string | null {
  const scheme = urlTemplate.indexOf('://')
  if (scheme < 0) return null
  const rest = urlTemplate.slice(scheme + 3)
  const cut = rest.search(/[/?#]/)
  const prefix = cut < 0 ? urlTemplate : urlTemplate.slice(0, scheme + 3 + cut + 1)
  if (prefix.includes('{{') || prefix.includes('}}') || prefix.includes('@')) return null
  return prefix
}

/** The host (`name[:port]`) a literal authority names, or null when it does not parse as http(s). */
export function literalHost(urlTemplate: string): string | null {
  const prefix = literalAuthority(urlTemplate)
  if (prefix === null) return null
  try {
    const url = new URL(prefix)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.host : null
  } catch {
    return null
  }
}

/**
 * An allowedHosts entry in its stored form (lower case, no trailing dot), or null when it is not a host name,
 * a `*.` wildcard over one, or an IP address (a port, a path or credentials make it invalid).
 */
export function normalizeAllowedHost(entry: string): string | null {
  const wildcard = entry.startsWith('*.')
  const host = (wildcard ? entry.slice(2) : entry).toLowerCase().replace(/\.$/, '')
  if (host === '' || host.length > 253 || !/^[a-z0-9.\-[\]:]+$/.test(host)) return null
  let parsed: URL
  try {
    parsed = new URL(`http://${host}/`)
  } catch {
    return null
  }
  if (parsed.hostname !== host || parsed.port !== '') return null
  if (wildcard && (host.startsWith('[') || /^[\d.]+$/.test(host))) return null
  return wildcard ? `*.${host}` : host
}

/** Whether a URL host name (as `URL.hostname` gives it) is in a secret's allowedHosts (null: any host). */
export function hostAllowed(hostname: string, allowedHosts: readonly string[] | null): boolean {
  if (allowedHosts === null) return true
  const host = hostname.toLowerCase().replace(/\.$/, '')
  for (const entry of allowedHosts) {
    if (entry.startsWith('*.')) {
      if (host.endsWith(entry.slice(1)) && host.length > entry.length - 1) return true
    } else if (host === entry) return true
  }
  return false
}

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\]/g

/** The forms of a value that are masked: as is, URL-encoded, base64 (both alphabets), JSON-escaped. */
export function secretForms(value: string): string[] {
  if (value === '') return []
  const bytes = Buffer.from(value, 'utf8')
  const forms = new Set([
    value,
    encodeURIComponent(value),
    bytes.toString('base64'),
    bytes.toString('base64').replace(/=+$/, ''),
    bytes.toString('base64url'),
    JSON.stringify(value).slice(1, -1),
  ])
  forms.delete('')
  return [...forms]
}

/**
 * A masker over resolved secret values: `mask(text)` replaces every form of every value with `***` (the
 * longest forms first, so a value inside another is not left half-masked). Values are added as a run
 * resolves them; a masker with no value returns text unchanged at no cost.
 */
export function createSecretMasker() {
  const forms = new Set<string>()
  let pattern: RegExp | null = null
  return {
    add(values: Iterable<string>) {
      let changed = false
      for (const v of values) {
        for (const f of secretForms(v)) {
          if (!forms.has(f)) {
            forms.add(f)
            changed = true
          }
        }
      }
      if (changed) {
        const sorted = [...forms].sort((a, b) => b.length - a.length)
        pattern = new RegExp(sorted.map((f) => f.replace(REGEX_SPECIAL, '\\$&')).join('|'), 'g')
      }
    },
    get active(): boolean {
      return pattern !== null
    },
    mask(text: string): string {
      return pattern === null ? text : text.replace(pattern, SECRET_MASK)
    },
  }
}
export type SecretMasker = ReturnType<typeof createSecretMasker>
