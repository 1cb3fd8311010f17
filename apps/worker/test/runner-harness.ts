import type { TestDatabase } from '@punctual/db/testing'
import { createKeys, type QueueKeys } from '@punctual/queue'
import { deleteMatching, type TestRedis } from '@punctual/queue/testing'
import { createRunner, type Runner } from '../src/runner/index.ts'
import { silentLogger } from '../src/runner/testing.ts'

/**
 * Runners on a fresh keyspace each (a runner sees only its own test's executions), for the issue 16 runner
 * tests: `stopAll` after each test, `cleanup` after the file.
 */
export function runnerHarness(tag: string, env: () => { db: TestDatabase; r: TestRedis }) {
  const patterns: string[] = []
  const runners: Runner[] = []
  let n = 0
  return {
    fresh(): QueueKeys {
      const keys = createKeys(`${env().r.prefix}.${tag}${++n}`)
      patterns.push(keys.scanPattern)
      return keys
    },
    runner(keys: QueueKeys): Runner {
      const { db, r } = env()
      const x = createRunner({
        db,
        redis: r.redis,
        keys,
        workerId: `${tag}-${n}`,
        logger: silentLogger(),
        config: {
          concurrency: 4,
          leaseMs: 30_000,
          pollMs: 10,
          outbound: { allowPrivate: true, allowlist: undefined },
        },
      })
      runners.push(x)
      return x
    },
    async stopAll() {
      await Promise.all(runners.splice(0).map((x) => x.stop({ timeoutMs: 0 })))
    },
    async cleanup() {
      for (const p of patterns) await deleteMatching(env().r.redis, p)
    },
  }
}
