// The API and the worker read the same shared variables (core baseConfigFields); REDIS_PREFIX follows the key
// builder's rule (REDIS_PREFIX_PATTERN, packages/queue/src/keys.ts). A prefix the API accepted used to crash the
// worker at boot with a TypeError from createKeys.
import { loadApiConfig } from '@punctual/api'
import { ConfigError } from '@punctual/core'
import { createKeys } from '@punctual/queue'
import { loadWorkerConfig } from '@punctual/worker'
import { startWorkerProcess } from '@punctual/worker/testing'
import { describe, expect, it } from 'vitest'

const CANDIDATES = [
  'punctual',
  'a',
  'A-b_c.9',
  'x'.repeat(64),
  'x'.repeat(65),
  'a:b',
  'a}b',
  '{a',
  'a*',
  'a b',
]

function outcome(load: (env: Record<string, string>) => unknown, prefix: string): string {
  try {
    load({ REDIS_PREFIX: prefix })
    return 'accepted'
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    expect(err.variable).toBe('REDIS_PREFIX')
    expect(err.message).toContain('REDIS_PREFIX')
    return 'refused'
  }
}

describe('configuration shared by the API and the worker', () => {
  it('accepts and refuses the same REDIS_PREFIX values, and every one accepted makes keys', () => {
    for (const prefix of CANDIDATES) {
      const api = outcome(loadApiConfig, prefix)
      expect(outcome(loadWorkerConfig, prefix), prefix).toBe(api)
      if (api === 'accepted') expect(createKeys(prefix).prefix).toBe(prefix)
      else expect(() => createKeys(prefix)).toThrow(TypeError)
    }
    expect(CANDIDATES.filter((p) => outcome(loadApiConfig, p) === 'refused')).toHaveLength(6)
  })

  it('fills the shared variables alike (only the pool size differs by process)', () => {
    const shared = ['DATABASE_URL', 'REDIS_URL', 'REDIS_PREFIX', 'LOG_LEVEL', 'TRIGGER_CACHE_TTL_MS'] as const
    const api = loadApiConfig({})
    const worker = loadWorkerConfig({})
    for (const name of shared) expect(worker[name], name).toEqual(api[name])
    expect([api.DATABASE_POOL_SIZE, worker.DATABASE_POOL_SIZE]).toEqual([20, 10])
  })

  it('OUTBOUND_SIGNING=false is for development only: refused with NODE_ENV=production', () => {
    const key = Buffer.alloc(32, 7).toString('base64')
    const production = { NODE_ENV: 'production', SECRETS_ENCRYPTION_KEY: key }
    expect(loadWorkerConfig({ ...production }).OUTBOUND_SIGNING).toBe(true)
    expect(loadWorkerConfig({ OUTBOUND_SIGNING: 'false' }).OUTBOUND_SIGNING).toBe(false)
    expect(() => loadWorkerConfig({ ...production, OUTBOUND_SIGNING: 'false' })).toThrow(
      expect.objectContaining({ name: 'ConfigError', variable: 'OUTBOUND_SIGNING' }),
    )
  })

  it('both refuse the same Redis mode mistakes (issue 19), naming the variable', () => {
    const cases: [Record<string, string>, string][] = [
      [{ REDIS_SENTINELS: '127.0.0.1:26379' }, 'REDIS_SENTINEL_NAME'],
      [{ REDIS_SENTINEL_NAME: 'mymaster' }, 'REDIS_SENTINELS'],
      [
        { REDIS_CLUSTER_NODES: '127.0.0.1:7000', REDIS_SENTINELS: 'h:1', REDIS_SENTINEL_NAME: 'm' },
        'REDIS_SENTINELS',
      ],
      [{ REDIS_CLUSTER_NODES: '127.0.0.1' }, 'REDIS_CLUSTER_NODES'],
      [{ REDIS_TLS: 'maybe' }, 'REDIS_TLS'],
    ]
    for (const [env, variable] of cases) {
      for (const load of [loadApiConfig, loadWorkerConfig]) {
        expect(() => load(env), JSON.stringify(env)).toThrow(
          expect.objectContaining({ name: 'ConfigError', variable }),
        )
      }
    }
    expect(loadWorkerConfig({ REDIS_CLUSTER_NODES: 'h:7000', REDIS_TLS: 'true' }).REDIS_TLS).toBe(true)
  })

  it('a worker process given a prefix the keys refuse exits 1 naming REDIS_PREFIX, not with a TypeError', async () => {
    const w = startWorkerProcess({
      REDIS_PREFIX: 'x'.repeat(65),
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
      REDIS_URL: 'redis://127.0.0.1:1/0',
    })
    expect(await w.exited).toBe(1)
    const stderr = w.logs
      .filter((l) => l.msg === 'stderr')
      .map((l) => l.text)
      .join('')
    expect(stderr).toContain('Invalid configuration: REDIS_PREFIX must')
    expect(stderr).not.toContain('x'.repeat(65))
    expect(stderr).not.toContain('TypeError')
  })
})
