import type { ChainLink } from '@punctual/core'
import { sql as dsql, getTableColumns, inArray } from 'drizzle-orm'
import { executions } from '../schema/executions.ts'
import { schedules } from '../schema/schedules.ts'
import type { ExecutionRow } from './executions.ts'
import type { DbExecutor } from './executor.ts'
import type { ScheduleView } from './schedules.ts'

/**
 * The system event bus's Postgres side (docs/design-notes.md, "System events"): the outbox rows that the end
 * and completion statements write (statements/execution-finish.ts, statements/fire-recording.ts), the relay's claim of rows nobody handled in time, the
 * reads a consumer needs (subjects and their chains), and the consumer's commit of what the events started.
 */

const { conflictProfile: _conflictProfile, ...scheduleColumns } = getTableColumns(schedules)

/** What a consumer reads about a batch of events before matching them. */
export interface EventSubjects {
  /** Outbox ids still present: an event whose row is gone was handled already (a duplicate delivery). */
  pending: Set<string>
  executions: Map<string, ExecutionRow>
  schedules: Map<string, ScheduleView>
  /** Per execution: its chain from the root to itself (the links a system event started, oldest first). */
  chains: Map<string, ChainLink[]>
}

/** Longest chain walked back (a safety bound: loop detection keeps real chains far shorter). */
export const MAX_CHAIN_WALK = 1000

export function createEventBusRepo(db: DbExecutor) {
  return {
    async loadSubjects(input: {
      outboxIds: readonly string[]
      executionIds: readonly string[]
      scheduleIds: readonly string[]
    }): Promise<EventSubjects> {
      const [pending, executionRows, scheduleRows, links] = await Promise.all([
        input.outboxIds.length === 0
          ? []
          : db.execute<{ id: string }>(dsql`
              select id::text as id from event_outbox
               where id = any(${`{${input.outboxIds.join(',')}}`}::bigint[])`),
        input.executionIds.length === 0
          ? []
          : db
              .select()
              .from(executions)
              .where(inArray(executions.id, [...input.executionIds])),
        input.scheduleIds.length === 0
          ? []
          : db
              .select(scheduleColumns)
              .from(schedules)
              .where(inArray(schedules.id, [...input.scheduleIds])),
        input.executionIds.length === 0 ? [] : walkChains(db, input.executionIds),
      ])
      const chains = new Map<string, ChainLink[]>()
      for (const l of links) {
        const chain = chains.get(l.subject) ?? []
        chain.push({ executionId: l.id, workflowId: l.workflow_id, triggerId: l.trigger_id })
        chains.set(l.subject, chain)
      }
      // The walk went from each execution back to its root: oldest first is the reverse.
      for (const chain of chains.values()) chain.reverse()
      return {
        pending: new Set([...pending].map((r) => r.id)),
        executions: new Map(executionRows.map((r) => [r.id, r])),
        schedules: new Map(scheduleRows.map((r) => [r.id, r])),
        chains,
      }
    },
  }
}
export type EventBusRepo = ReturnType<typeof createEventBusRepo>

type ChainLinkRow = {
  subject: string
  id: string
  workflow_id: string
  trigger_id: string | null
  hop: number
}

/** Each execution's chain, walked back along caused_by_execution_id (primary-key lookups), ordered by hop. */
async function walkChains(db: DbExecutor, ids: readonly string[]): Promise<ChainLinkRow[]> {
  const rows = await db.execute<ChainLinkRow>(dsql`
    with recursive chain as (
      select e.id as subject, e.id, e.tenant, e.workflow_id, e.trigger_id, e.caused_by_execution_id as parent,
             0 as hop
        from executions e
       where e.id = any(${`{${ids.join(',')}}`}::uuid[])
      union all
      select c.subject, p.id, p.tenant, p.workflow_id, p.trigger_id, p.caused_by_execution_id, c.hop + 1
        from chain c join executions p on p.id = c.parent and p.tenant = c.tenant
       where c.hop < ${MAX_CHAIN_WALK}
    )
    select subject, id, workflow_id, trigger_id, hop from chain order by subject, hop`)
  return [...rows]
}
