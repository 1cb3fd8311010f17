import {
  hostAllowed,
  literalHost,
  type SecretBox,
  type SecretMasker,
  stepSecretRefs,
  tenantSecretAt,
} from '@punctual/core'
import { loadSecretsForRun, type Sql } from '@punctual/db'

/**
 * Tenant secrets at run time (the contract's `{{secrets.NAME}}` rules), for the http step:
 * - the names a step uses, parsed once per step definition;
 * - the values, read from Postgres and opened with the key ring, cached per worker for a short time (bounded;
 *   a PUT or DELETE is seen within the TTL) so a busy workflow does not read them for every run;
 * - the checks before a byte is sent: the resolved URL's host is the step's literal host, and each secret's
 *   allowedHosts holds it. A missing secret, a host it is not allowed for, or a value that does not open fails
 *   the step permanently (PermanentStepError).
 * Values never leave this module except into the request and the attempt's masker.
 */

export interface OpenedSecret {
  value: string
  allowedHosts: string[] | null
}

/** A step failure that no retry can fix: the execution goes `dead` at once. */
export class PermanentStepError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PermanentStepError'
  }
}

export interface SecretCacheOptions {
  sql: Sql
  box: SecretBox
  /** How long an opened (or missing) secret is kept. Default 5000. */
  ttlMs?: number
  /** Entries kept, oldest out first. Default 10000. */
  maxEntries?: number
  now?: () => number
}

export type Loaded = OpenedSecret | 'missing' | 'unreadable'

interface Entry {
  untilMs: number
  loaded: Promise<Loaded>
}

/** The secrets of a tenant by name; concurrent misses of one run share one read. */
export function createSecretCache(opts: SecretCacheOptions) {
  const ttlMs = opts.ttlMs ?? 5000
  const maxEntries = opts.maxEntries ?? 10_000
  const now = opts.now ?? Date.now
  const entries = new Map<string, Entry>()

  function open(tenant: string, name: string, sealed: string): string | null {
    try {
      return opts.box.open(sealed, tenantSecretAt(tenant, name))
    } catch {
      return null
    }
  }

  function load(tenant: string, names: string[]): Map<string, Promise<Loaded>> {
    const read = loadSecretsForRun(opts.sql, tenant, names)
    const out = new Map<string, Promise<Loaded>>()
    for (const name of names) {
      out.set(
        name,
        read.then((rows) => {
          const row = rows.find((r) => r.name === name)
          if (!row) return 'missing'
          const value = open(tenant, name, row.valueCiphertext)
          return value === null ? 'unreadable' : { value, allowedHosts: row.allowedHosts }
        }),
      )
    }
    return out
  }

  return {
    /** Each name's secret, 'missing' or 'unreadable'. Throws when Postgres cannot be read (not cached). */
    async get(tenant: string, names: readonly string[]): Promise<Map<string, Loaded>> {
      const t = now()
      const pending = new Map<string, Promise<Loaded>>()
      const misses: string[] = []
      for (const name of names) {
        const key = `${tenant}\u0000${name}`
        const hit = entries.get(key)
        if (hit && hit.untilMs > t) pending.set(name, hit.loaded)
        else misses.push(name)
      }
      if (misses.length > 0) {
        for (const [name, loaded] of load(tenant, misses)) {
          const key = `${tenant}\u0000${name}`
          const entry = { untilMs: t + ttlMs, loaded }
          entries.delete(key)
          entries.set(key, entry)
          if (entries.size > maxEntries) entries.delete(entries.keys().next().value!)
          // A failed read is not remembered: the next run reads again.
          loaded.catch(() => entries.get(key) === entry && entries.delete(key))
          pending.set(name, loaded)
        }
      }
      const out = new Map<string, Loaded>()
      for (const [name, loaded] of pending) out.set(name, await loaded)
      return out
    },
    get size() {
      return entries.size
    },
  }
}
export type SecretCache = ReturnType<typeof createSecretCache>

/** An http step's url, headers and body, as far as secrets are concerned. */
interface HttpStepShape {
  name: string
  url: string
  headers?: Readonly<Record<string, string>> | undefined
  body?: unknown
}

interface StepSecretShape {
  names: string[]
  /** The step's literal host (literalHost), null when its url has none. */
  literal: string | null
}

const shapeByStep = new WeakMap<object, StepSecretShape>()

/** The secret names a step uses and its literal host, parsed once per step definition (definitions are cached). */
function secretShapeOf(step: HttpStepShape): StepSecretShape {
  let shape = shapeByStep.get(step)
  if (!shape) {
    const names = stepSecretRefs(step).names
    shape = { names, literal: names.length > 0 ? literalHost(step.url) : null }
    shapeByStep.set(step, shape)
  }
  return shape
}

export interface ResolvedStepSecrets {
  /** For the placeholder context (`secrets`). */
  values: Record<string, string>
  /** Throws PermanentStepError unless `url` (the resolved one) may receive every secret of the step. */
  checkTarget(url: URL): void
}

/**
 * The step's secrets, opened, or null when it uses none. Every value goes into `masker` before the request
 * is built, so nothing recorded about this attempt from here on can show it.
 */
export async function resolveStepSecrets(
  step: HttpStepShape,
  load: (names: readonly string[]) => Promise<Map<string, Loaded>>,
  masker: SecretMasker,
): Promise<ResolvedStepSecrets | null> {
  const { names, literal } = secretShapeOf(step)
  if (names.length === 0) return null
  if (literal === null) {
    // Refused when the workflow is written; a definition stored before that rule is refused here.
    throw new PermanentStepError(
      'a step that uses a secret needs a literal scheme://host/ at the start of its url',
    )
  }
  const found = await load(names)
  const values: Record<string, string> = {}
  const hosts: [string, string[] | null][] = []
  for (const name of names) {
    const s = found.get(name)
    if (s === undefined || s === 'missing') throw new PermanentStepError(`secret ${name} does not exist`)
    if (s === 'unreadable') {
      throw new PermanentStepError(`secret ${name} cannot be decrypted with the configured keys`)
    }
    values[name] = s.value
    hosts.push([name, s.allowedHosts])
  }
  masker.add(Object.values(values))
  return {
    values,
    checkTarget(url) {
      if (url.host !== literal) {
        throw new PermanentStepError(`the resolved url's host is not the step's literal host ${literal}`)
      }
      for (const [name, allowed] of hosts) {
        if (!hostAllowed(url.hostname, allowed)) {
          throw new PermanentStepError(`secret ${name} may not be sent to ${url.hostname}`)
        }
      }
    },
  }
}
