import { ConfigError } from '@punctual/core'
import { describe, expect, it } from 'vitest'
import { describeRedisConnection, redisConnectionFromConfig } from '../src/redis-connection.ts'

const URL = 'redis://127.0.0.1:6379/0'

function refused(env: Record<string, string>): ConfigError {
  try {
    redisConnectionFromConfig({ REDIS_URL: URL, ...env })
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return err as ConfigError
  }
  throw new Error('accepted')
}

describe('redisConnectionFromConfig (REDIS_* variables)', () => {
  it('defaults to the single server of REDIS_URL, with username, password and TLS when set', () => {
    expect(redisConnectionFromConfig({ REDIS_URL: URL })).toEqual({ mode: 'single', url: URL })
    expect(
      redisConnectionFromConfig({
        REDIS_URL: URL,
        REDIS_USERNAME: 'app',
        REDIS_PASSWORD: 'pw',
        REDIS_TLS: true,
      }),
    ).toEqual({ mode: 'single', url: URL, username: 'app', password: 'pw', tls: true })
  })

  it('reads a cluster from REDIS_CLUSTER_NODES (IPv6 in brackets), with the same credentials', () => {
    const conn = redisConnectionFromConfig({
      REDIS_URL: URL,
      REDIS_CLUSTER_NODES: 'a.example:7000, 10.0.0.2:7001,[::1]:7002',
      REDIS_PASSWORD: 'pw',
      REDIS_TLS: true,
    })
    expect(conn).toEqual({
      mode: 'cluster',
      nodes: [
        { host: 'a.example', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
        { host: '::1', port: 7002 },
      ],
      password: 'pw',
      tls: true,
    })
    expect(describeRedisConnection(conn)).toBe('cluster a.example:7000,10.0.0.2:7001,::1:7002')
  })

  it('reads Sentinel from REDIS_SENTINELS and REDIS_SENTINEL_NAME', () => {
    const conn = redisConnectionFromConfig({
      REDIS_URL: URL,
      REDIS_SENTINELS: 's1:26379,s2:26379',
      REDIS_SENTINEL_NAME: 'mymaster',
      REDIS_USERNAME: 'app',
      REDIS_SENTINEL_PASSWORD: 'spw',
    })
    expect(conn).toEqual({
      mode: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      name: 'mymaster',
      username: 'app',
      sentinelPassword: 'spw',
    })
    // The password never shows in the description.
    expect(describeRedisConnection({ mode: 'single', url: 'redis://u:secret@h:1/0' })).not.toContain('secret')
  })

  it('refuses bad combinations and lists, naming the variable and never the value', () => {
    expect(
      refused({ REDIS_CLUSTER_NODES: 'a:1', REDIS_SENTINELS: 'b:2', REDIS_SENTINEL_NAME: 'm' }).variable,
    ).toBe('REDIS_SENTINELS')
    expect(refused({ REDIS_SENTINELS: 'b:2' }).variable).toBe('REDIS_SENTINEL_NAME')
    expect(refused({ REDIS_SENTINEL_NAME: 'm' }).variable).toBe('REDIS_SENTINELS')
    for (const bad of ['a', 'a:0', 'a:70000', 'a:1,b', ' , ', 'sec:ret:1']) {
      const err = refused({ REDIS_CLUSTER_NODES: bad })
      expect(err.variable).toBe('REDIS_CLUSTER_NODES')
      if (bad.trim().length > 2) expect(err.message).not.toContain(bad)
    }
  })
})
