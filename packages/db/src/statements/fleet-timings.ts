import type { OptimizerSchedule } from '@punctual/core'
import type { Sql } from 'postgres'

/** What the optimizer reads of a schedule: core's OptimizerSchedule plus its state. */
export interface FleetTiming extends OptimizerSchedule {
  state: string
}

/** Rows per page: a page is parsed in one go, so it stays a few milliseconds of the event loop. */
const PAGE = 5000

type Row = Omit<FleetTiming, 'startDate' | 'endDate'> & { startMs: number | null; endMs: number | null }

function page(sql: Sql, tenant: string, after: string, ids: string[] | null) {
  return sql<Row[]>`
    select id, version, cron_expression as "cronExpression", timezone, jitter_ms as "jitterMs",
           coalesce(metadata -> 'pinned' = 'true'::jsonb, false) as pinned,
           (extract(epoch from start_date) * 1000)::float8 as "startMs",
           (extract(epoch from end_date) * 1000)::float8 as "endMs", state
      from schedules
     where tenant = ${tenant} and id > ${after}::uuid
       ${ids ? sql`and id = any(${ids}::uuid[])` : sql`and state = 'active'`}
     order by id
     limit ${PAGE}`
}

/** Every page of a keyset read by id, `PAGE` rows at a time, each handed to `take` as it comes. */
async function byIdPages<R extends { id: string }>(
  read: (after: string) => Promise<R[]>,
  take: (rows: R[]) => void,
): Promise<void> {
  let after = '00000000-0000-0000-0000-000000000000'
  for (;;) {
    const rows = await read(after)
    take(rows)
    if (rows.length < PAGE) return
    after = rows[rows.length - 1]!.id
  }
}

/**
 * The tenant's active schedules (or, with `ids`, those of them in any state) as the optimizer reads them, in
 * id order, paged through schedules_tenant_id_idx.
 */
export async function readFleetTimings(sql: Sql, tenant: string, ids?: string[]): Promise<FleetTiming[]> {
  const out: FleetTiming[] = []
  await byIdPages(
    (after) => page(sql, tenant, after, ids ?? null),
    (rows) => {
      for (const { startMs, endMs, ...r } of rows) {
        out.push({
          ...r,
          startDate: startMs === null ? null : new Date(startMs),
          endDate: endMs === null ? null : new Date(endMs),
        })
      }
    },
  )
  return out
}

/**
 * The version of each active schedule of the tenant, by id, paged like readFleetTimings: what a kept plan
 * compares with to find the schedules changed, added or gone since it was counted.
 */
export async function readFleetVersions(sql: Sql, tenant: string): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  await byIdPages(
    (after) => sql<{ id: string; version: number }[]>`
      select id, version from schedules
       where tenant = ${tenant} and id > ${after}::uuid and state = 'active'
       order by id
       limit ${PAGE}`,
    (rows) => {
      for (const r of rows) out.set(r.id, r.version)
    },
  )
  return out
}
