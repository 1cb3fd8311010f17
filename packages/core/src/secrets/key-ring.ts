import { Type } from 'typebox'
import { ConfigError } from '../config.ts'
import { parseSecretKey } from './secret-box.ts'

/**
 * The public development key (README): lets `pnpm start` work with no setup. Anyone can read secrets sealed
 * with it, so with NODE_ENV=production the API and the worker refuse to start while any key of the ring
 * decodes to it (compared as bytes: its unpadded, url-safe, hex or space-padded forms are the same key).
 */
export const DEV_SECRETS_ENCRYPTION_KEY = 'cHVuY3R1YWwtZGV2LWtleS1OT1QtZm9yLXByb2QhISE='
const DEV_KEY_BYTES = parseSecretKey(DEV_SECRETS_ENCRYPTION_KEY)!

/** NODE_ENV=production, however it is written (` Production `). */
export function isProduction(nodeEnv: string | undefined): boolean {
  return nodeEnv?.trim().toLowerCase() === 'production'
}

/** The variables of the key ring, read by the API and the worker alike. */
export function secretKeyConfigFields() {
  return {
    /** Comma-separated keys, newest first: seals with the first, opens with any (rotation). */
    SECRETS_ENCRYPTION_KEYS: Type.Optional(Type.String({ minLength: 1 })),
    /** A ring of one; ignored when SECRETS_ENCRYPTION_KEYS is set. */
    SECRETS_ENCRYPTION_KEY: Type.Optional(Type.String({ minLength: 1 })),
    /** false: values sealed in the first format (v1, not bound to their row) no longer open. */
    SECRETS_ACCEPT_V1: Type.Boolean({ default: true }),
    NODE_ENV: Type.Optional(Type.String()),
  }
}

export interface SecretKeyRing {
  /** Newest first. */
  keys: Buffer[]
  /** A key of the ring is the public development key (no key configured, outside production): warn. */
  usesDevKey: boolean
  acceptV1: boolean
}

/**
 * The key ring from the parsed configuration. Throws ConfigError naming the variable (never a value): an entry
 * that is not 32 bytes as base64 or hex; in production, no key at all or a key that decodes to the
 * development key. Outside production no key means the development key (the caller warns).
 */
export function loadSecretKeyRing(config: {
  SECRETS_ENCRYPTION_KEYS?: string | undefined
  SECRETS_ENCRYPTION_KEY?: string | undefined
  SECRETS_ACCEPT_V1: boolean
  NODE_ENV?: string | undefined
}): SecretKeyRing {
  const variable =
    config.SECRETS_ENCRYPTION_KEYS !== undefined ? 'SECRETS_ENCRYPTION_KEYS' : 'SECRETS_ENCRYPTION_KEY'
  const raw = config.SECRETS_ENCRYPTION_KEYS ?? config.SECRETS_ENCRYPTION_KEY
  const production = isProduction(config.NODE_ENV)
  if (raw === undefined) {
    if (production) {
      throw new ConfigError(
        variable,
        'must be set (or SECRETS_ENCRYPTION_KEYS) when NODE_ENV=production: the development default is public',
      )
    }
    return { keys: [DEV_KEY_BYTES], usesDevKey: true, acceptV1: config.SECRETS_ACCEPT_V1 }
  }
  const entries = variable === 'SECRETS_ENCRYPTION_KEYS' ? raw.split(',').map((e) => e.trim()) : [raw]
  const keys: Buffer[] = []
  for (const [i, entry] of entries.entries()) {
    const key = parseSecretKey(entry)
    const which = entries.length > 1 ? `entry ${i + 1} ` : ''
    if (!key) {
      throw new ConfigError(
        variable,
        `${which}must be 32 bytes written as base64 (openssl rand -base64 32) or as 64 hex characters`,
      )
    }
    if (production && key.equals(DEV_KEY_BYTES)) {
      throw new ConfigError(
        variable,
        `${which}is the public development key: set a key of your own when NODE_ENV=production`,
      )
    }
    keys.push(key)
  }
  return { keys, usesDevKey: keys.some((k) => k.equals(DEV_KEY_BYTES)), acceptV1: config.SECRETS_ACCEPT_V1 }
}
