import { randomUUID } from 'node:crypto'
import os from 'node:os'
import { signGithubWebhook } from '@punctual/core'
import { createDb, ensureDatabase, migrate } from '@punctual/db'
import { createKeys, createRedis, waitForReady } from '@punctual/queue'
import { deleteMatching } from '@punctual/queue/testing'
import autocannon from 'autocannon'
import { type ApiProcess, createWorkflow, headersFor, startApi } from './api-user.ts'
import type { BenchSection } from './report.ts'

/**
 * Issue 22, "Performance": webhook ingest of a 40 KB GitHub-like push delivery into a trigger with a 10-field
 * inputTemplate, against the same run into a trigger without one (target: ≥ 90 % of its req/s). Both triggers
 * are created through the API (POST /api/triggers, as a user does; the answer carries the secret), use the
 * GitHub scheme and the same workflow; the rounds alternate between them so outside load falls on both alike.
 * Knobs: BENCH_TEMPLATES_ROUNDS (default 4), BENCH_TEMPLATES_ROUND_SECONDS (default 3).
 */

const DATABASE_URL =
  process.env.BENCH_INGEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/punctual_bench_ingest'
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0'
const PREFIX = `bench-templates-${process.pid}`
const TENANT = 'bench'
const CONNECTIONS = 50
const ROUNDS = Number(process.env.BENCH_TEMPLATES_ROUNDS ?? 4)
const ROUND_SECONDS = Number(process.env.BENCH_TEMPLATES_ROUND_SECONDS ?? 3)

/** The 10 fields a deploy step needs: typed single placeholders, strings built from several, the delivery id. */
export const TEMPLATE = {
  repo: '{{body.repository.full_name}}',
  sha: '{{body.after}}',
  before: '{{body.before}}',
  ref: '{{body.ref}}',
  pusher: '{{body.pusher.name}}',
  headCommit: { id: '{{body.head_commit.id}}', message: '{{body.head_commit.message}}' },
  firstAdded: '{{body.commits[0].added}}',
  forced: '{{body.forced}}',
  summary: '{{body.pusher.name}} pushed {{body.after}} to {{body.repository.full_name}}',
  delivery: '{{deliveryId}}',
}

/** A GitHub push delivery of ~40 KB: the repository and sender objects, 40 commits with their files. */
export function githubPushBody(targetBytes = 40_000): string {
  const user = (login: string) => ({
    login,
    id: 583231,
    node_id: 'MDQ6VXNlcjU4MzIzMQ==',
    avatar_url: `https://avatars.githubusercontent.com/u/583231?v=4`,
    url: `https://api.github.com/users/${login}`,
    html_url: `https://github.com/${login}`,
    type: 'User',
    site_admin: false,
  })
  const commit = (i: number) => ({
    id: `${i.toString(16).padStart(4, '0')}6113728f27ae82c7b1a177c8d03f9e96e0adf2`,
    tree_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    distinct: true,
    message: `Change ${i}: update the deploy scripts and the docs of module ${i}`,
    timestamp: '2026-03-08T07:00:00+01:00',
    url: `https://github.com/octocat/Hello-World/commit/${i}`,
    author: { name: 'The Octocat', email: 'octocat@github.com', username: 'octocat' },
    committer: { name: 'GitHub', email: 'noreply@github.com', username: 'web-flow' },
    added: [`src/module-${i}/index.ts`],
    removed: [],
    modified: [`docs/module-${i}.md`, 'package.json', `src/module-${i}/deploy.ts`],
  })
  const body: Record<string, unknown> = {
    ref: 'refs/heads/main',
    before: '9049f1265b7d61be4a8904a9a27120d2064dab3b',
    after: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
    repository: {
      id: 1296269,
      name: 'Hello-World',
      full_name: 'octocat/Hello-World',
      private: false,
      owner: user('octocat'),
      description: 'This your first repo!',
      default_branch: 'main',
      topics: ['octocat', 'api'],
    },
    pusher: { name: 'octocat', email: 'octocat@github.com' },
    sender: user('octocat'),
    created: false,
    deleted: false,
    forced: false,
    compare: 'https://github.com/octocat/Hello-World/compare/9049f1265b7d...6113728f27ae',
    commits: [] as unknown[],
    head_commit: commit(0),
  }
  const commits = body.commits as unknown[]
  for (let i = 0; JSON.stringify(body).length < targetBytes; i++) commits.push(commit(i))
  return JSON.stringify(body)
}

async function createGithubTrigger(api: ApiProcess, workflowId: string, template?: object) {
  const res = await fetch(`${api.url}/api/triggers`, {
    method: 'POST',
    headers: headersFor(TENANT),
    body: JSON.stringify({
      workflowId,
      name: `bench-${randomUUID()}`,
      type: 'webhook',
      scheme: 'github',
      rateLimitPerMinute: 1_000_000,
      ...(template && { inputTemplate: template }),
    }),
  })
  if (res.status !== 201) throw new Error(`POST /api/triggers: ${res.status} ${await res.text()}`)
  const { id, secret } = (await res.json()) as { id: string; secret: string }
  return { url: `${api.url}/hooks/${id}`, id, secret }
}

function cannon(target: { url: string; secret: string }, body: string, duration: number) {
  const signature = signGithubWebhook(target.secret, body)
  return autocannon({
    url: target.url,
    method: 'POST',
    connections: CONNECTIONS,
    duration,
    requests: [
      {
        // The body is the same for every delivery (its signature too); each has its own delivery id.
        setupRequest: (req) => ({
          ...req,
          headers: {
            'content-type': 'application/json',
            'x-github-event': 'push',
            'x-github-delivery': randomUUID(),
            'x-hub-signature-256': signature,
          },
          body,
        }),
      },
    ],
  })
}

const accepted = (r: autocannon.Result) =>
  (r as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats?.['202']?.count ??
  0

export async function run(): Promise<BenchSection> {
  const loadBefore = os.loadavg()
  await ensureDatabase(DATABASE_URL)
  await migrate(DATABASE_URL)
  const db = createDb(DATABASE_URL)
  await db.sql`truncate executions, schedules, triggers, workflows, audit_log, event_receipts, webhook_deliveries cascade`
  const redis = createRedis(REDIS_URL, { name: 'bench-templates' })
  await waitForReady(redis, 10_000)
  const keys = createKeys(PREFIX)
  const api = await startApi({ DATABASE_URL, REDIS_URL, REDIS_PREFIX: PREFIX })
  try {
    const workflowId = await createWorkflow(api, TENANT, 'bench-templates')
    const plain = await createGithubTrigger(api, workflowId)
    const templated = await createGithubTrigger(api, workflowId, TEMPLATE)
    const body = githubPushBody()
    await cannon(plain, body, 2)
    await cannon(templated, body, 2)
    const runs = { plain: [] as autocannon.Result[], templated: [] as autocannon.Result[] }
    for (let r = 0; r < ROUNDS; r++) {
      runs.plain.push(await cannon(plain, body, ROUND_SECONDS))
      runs.templated.push(await cannon(templated, body, ROUND_SECONDS))
    }
    const rps = (rs: autocannon.Result[]) =>
      rs.reduce((n, r) => n + accepted(r), 0) / (ROUNDS * ROUND_SECONDS)
    const others = (rs: autocannon.Result[]) =>
      rs.reduce((n, r) => n + r.requests.total + r.errors + r.timeouts - accepted(r), 0)
    const p99 = (rs: autocannon.Result[]) => Math.max(...rs.map((r) => r.latency.p99))
    const [sample] = await db.sql<{ input: Record<string, unknown> }[]>`
      select input from executions where trigger_id = ${templated.id} limit 1`
    const ratio = rps(runs.templated) / rps(runs.plain)
    const loadAfter = os.loadavg()
    return {
      id: 'ingest-templates',
      title: 'Webhook ingestion with an input template (issue 22)',
      method: [
        `Machine load average (1 min) at the start ${loadBefore[0]!.toFixed(2)}, at the end ${loadAfter[0]!.toFixed(2)} (2 cores, shared).`,
        `Two GitHub-scheme webhook triggers on one workflow, created through POST /api/triggers: one without inputTemplate, one with a 10-field template (${JSON.stringify(TEMPLATE).length} bytes: typed single placeholders, an object, an array, a string of three placeholders, {{deliveryId}}). Each delivery is the same ${body.length}-byte GitHub-like push body (40 commits) with X-GitHub-Event push, its own X-GitHub-Delivery and the body's X-Hub-Signature-256.`,
        `autocannon -c ${CONNECTIONS} in the bench process; a 2 s warm-up of each trigger, then ${ROUNDS} alternating rounds of ${ROUND_SECONDS} s (without, with, …); req/s = 202s summed over the rounds / ${ROUNDS * ROUND_SECONDS} s. The API runs as its production bundle in its own process (DATABASE_POOL_SIZE 20).`,
      ],
      headers: ['measure', 'without template', 'with the 10-field template', 'notes'],
      rows: [
        [
          'webhook ingest req/s (202 only)',
          rps(runs.plain).toFixed(0),
          rps(runs.templated).toFixed(0),
          `${(ratio * 100).toFixed(0)}% of the run without; other answers/errors: ${others(runs.plain)} / ${others(runs.templated)}`,
        ],
        ['webhook ingest p99 ms (worst round)', p99(runs.plain), p99(runs.templated), ''],
        [
          'stored input of a templated delivery (bytes of JSON)',
          '—',
          JSON.stringify(sample?.input ?? null).length,
          `the body is ${body.length}`,
        ],
      ],
      verdict: [
        `Templated ingest: ${(ratio * 100).toFixed(0)}% of the req/s without a template (target ≥ 90%: ${ratio >= 0.9 ? 'met' : 'NOT met'}).`,
      ],
    }
  } finally {
    await api.stop()
    await deleteMatching(redis, keys.scanPattern).catch(() => 0)
    redis.disconnect()
    await db.close()
  }
}
