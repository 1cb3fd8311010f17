import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { httpStep, setup, type TestContext } from './helper.ts'

/** Issue 16: a step's `retryableStatuses` and a workflow's `retryFrom`, written and read back; bad values refused. */

let ctx: TestContext
beforeAll(async () => {
  ctx = await setup()
})
afterAll(async () => {
  await ctx?.close()
})

const create = (payload: Record<string, unknown>) =>
  ctx.app.inject({ method: 'POST', url: '/api/workflows', headers: ctx.auth('acme', 'editor'), payload })

describe('workflow failure-handling fields', () => {
  it('keeps retryableStatuses and retryFrom (default failed_step); a PUT without retryFrom resets it', async () => {
    const res = await create({
      name: `wf-${Math.random()}`,
      steps: [{ ...httpStep(), retryableStatuses: [409, '5xx'] }],
      retryFrom: 'start',
    })
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({ retryFrom: 'start', steps: [{ retryableStatuses: [409, '5xx'] }] })
    const plain = await create({ name: `wf-${Math.random()}`, steps: [httpStep()] })
    expect(plain.json().retryFrom).toBe('failed_step')
    const put = await ctx.app.inject({
      method: 'PUT',
      url: `/api/workflows/${res.json().id}`,
      headers: ctx.auth('acme', 'editor'),
      payload: { name: res.json().name, steps: [httpStep()] },
    })
    expect(put.statusCode, put.body).toBe(200)
    expect(put.json()).toMatchObject({ retryFrom: 'failed_step', version: 2 })
    // Both versions are kept for the executions pinned to them.
    const versions = await ctx.database
      .sql`select version from workflow_versions where workflow_id = ${res.json().id} order by version`
    expect(versions.map((v) => v['version'])).toEqual([1, 2])
  })

  it('refuses bad values with 400 naming the field, and creates nothing', async () => {
    for (const [payload, path] of [
      [{ steps: [{ ...httpStep(), retryableStatuses: ['6xx'] }] }, 'body.steps.0'],
      [{ steps: [{ ...httpStep(), retryableStatuses: [700] }] }, 'body.steps.0'],
      [{ steps: [httpStep()], retryFrom: 'middle' }, 'body.retryFrom'],
    ] as const) {
      const res = await create({ name: `bad-${Math.random()}`, ...payload })
      expect(res.statusCode, res.body).toBe(400)
      expect(JSON.stringify(res.json().errors)).toContain(path)
    }
    const rows = await ctx.database.sql`select count(*)::int as n from workflows where name like 'bad-%'`
    expect(rows[0]!['n']).toBe(0)
  })
})
