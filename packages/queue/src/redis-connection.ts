import { ConfigError, maskUrl } from '@punctual/core'

/** A `host:port` of a cluster seed node or a sentinel. */
export interface RedisAddress {
  host: string
  port: number
}

/** What every mode shares: credentials and TLS for the data nodes (REDIS_USERNAME, REDIS_PASSWORD, REDIS_TLS). */
export interface RedisAuth {
  username?: string
  password?: string
  tls?: boolean
  /** Sentinel mode: the sentinels' own password when they have one (REDIS_SENTINEL_PASSWORD). */
  sentinelPassword?: string
}

/**
 * Where Redis is, in one of the contract's three modes (http-api.md, "Workers and operations"):
 * - `single`: one server, REDIS_URL (a URL's own user, password and `rediss://` win over REDIS_*);
 * - `cluster`: Redis Cluster, seeded from REDIS_CLUSTER_NODES (ioredis `Cluster` learns the rest);
 * - `sentinel`: the primary of REDIS_SENTINEL_NAME as REDIS_SENTINELS report it (ioredis sentinel mode).
 */
export type RedisConnection =
  | ({ mode: 'single'; url: string } & RedisAuth)
  | ({ mode: 'cluster'; nodes: RedisAddress[] } & RedisAuth)
  | ({ mode: 'sentinel'; sentinels: RedisAddress[]; name: string } & RedisAuth)

/** The variables read by redisConnectionFromConfig (core baseConfigFields declares them). */
export interface RedisConnectionConfig {
  REDIS_URL: string
  REDIS_CLUSTER_NODES?: string | undefined
  REDIS_SENTINELS?: string | undefined
  REDIS_SENTINEL_NAME?: string | undefined
  REDIS_SENTINEL_PASSWORD?: string | undefined
  REDIS_USERNAME?: string | undefined
  REDIS_PASSWORD?: string | undefined
  REDIS_TLS?: boolean | undefined
}

const ADDRESS = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/

/** Parses `host:port,host:port` (IPv6 as `[::1]:7000`); a bad entry is a ConfigError naming `variable`. */
export function parseAddressList(variable: string, text: string): RedisAddress[] {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
  if (parts.length === 0) throw new ConfigError(variable, 'must list at least one host:port')
  return parts.map((part) => {
    const match = ADDRESS.exec(part)
    const port = match ? Number(match[2]) : 0
    if (!match || port < 1 || port > 65535) {
      throw new ConfigError(
        variable,
        `must be a comma-separated list of host:port (bad entry #${parts.indexOf(part) + 1})`,
      )
    }
    return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port }
  })
}

/**
 * The connection a process's configuration asks for. REDIS_CLUSTER_NODES and REDIS_SENTINELS exclude each
 * other; REDIS_SENTINELS needs REDIS_SENTINEL_NAME. With neither, REDIS_URL (which has a default) is used.
 */
export function redisConnectionFromConfig(config: RedisConnectionConfig): RedisConnection {
  const auth: RedisAuth = {
    ...(config.REDIS_USERNAME && { username: config.REDIS_USERNAME }),
    ...(config.REDIS_PASSWORD && { password: config.REDIS_PASSWORD }),
    ...(config.REDIS_TLS && { tls: true }),
  }
  if (config.REDIS_CLUSTER_NODES && config.REDIS_SENTINELS) {
    throw new ConfigError(
      'REDIS_SENTINELS',
      'cannot be set together with REDIS_CLUSTER_NODES (choose one mode)',
    )
  }
  if (config.REDIS_CLUSTER_NODES) {
    return {
      mode: 'cluster',
      nodes: parseAddressList('REDIS_CLUSTER_NODES', config.REDIS_CLUSTER_NODES),
      ...auth,
    }
  }
  if (config.REDIS_SENTINELS) {
    if (!config.REDIS_SENTINEL_NAME) {
      throw new ConfigError(
        'REDIS_SENTINEL_NAME',
        'is required with REDIS_SENTINELS (the name of the monitored primary)',
      )
    }
    return {
      mode: 'sentinel',
      sentinels: parseAddressList('REDIS_SENTINELS', config.REDIS_SENTINELS),
      name: config.REDIS_SENTINEL_NAME,
      ...auth,
      ...(config.REDIS_SENTINEL_PASSWORD && { sentinelPassword: config.REDIS_SENTINEL_PASSWORD }),
    }
  }
  if (config.REDIS_SENTINEL_NAME) {
    throw new ConfigError('REDIS_SENTINELS', 'is required with REDIS_SENTINEL_NAME (the sentinels to ask)')
  }
  return { mode: 'single', url: config.REDIS_URL, ...auth }
}

/** A safe one-line description for logs (no password). */
export function describeRedisConnection(conn: RedisConnection): string {
  const list = (a: RedisAddress[]) => a.map((x) => `${x.host}:${x.port}`).join(',')
  if (conn.mode === 'single') return `single ${maskUrl(conn.url)}`
  if (conn.mode === 'cluster') return `cluster ${list(conn.nodes)}`
  return `sentinel ${conn.name}@${list(conn.sentinels)}`
}
