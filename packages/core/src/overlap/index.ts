import type { Static } from 'typebox'
import { isUnfinished } from '../execution-state.ts'
import type { ExecutionStatus } from '../schemas/execution.ts'
import type { OverlapPolicy } from '../schemas/schedule.ts'

/**
 * overlapPolicy: what a fire does while an earlier execution of its schedule is unfinished (`queued`,
 * `running`, `retrying`; http-api.md, Schedules). The rule is decided here (overlapDecision); the moments
 * it is applied, and the code that applies each:
 *
 * | policy            | record (scheduler claims the fire)                                  | start (runner's conditional start)                                   | end (an execution of the schedule ends)                        |
 * |-------------------|----------------------------------------------------------------------|------------------------------------------------------------------------|-----------------------------------------------------------------|
 * | `allow`           | row `queued`                                                         | starts                                                                 | —                                                               |
 * | `skip`            | earlier unfinished → row `skipped` (`reason: overlap`); a fire recorded ahead of its time → `queued` with `overlap_check` | `overlap_check` and an earlier one still unfinished → `skipped` (`reason: overlap`) | —                                                               |
 * | `buffer_one`      | earlier unfinished → row `queued`, `held` (kept out of Redis); one already held → `skipped` | a held row is never started                                            | the oldest held fire of the schedule is released into Redis    |
 * | `cancel_previous` | earlier unfinished → cancelled (`queued`/`retrying` at once, `running` by cancel request), then row `queued` | starts                                                                 | —                                                               |
 *
 * - record: apps/worker/src/scheduler/decide-overlap.ts (`decideOverlaps`, part of `decideClaim`: overlapDecision
 *   per fire; a fire whose decision depends on an end still to come keeps the claim), rows written by packages/db/src/statements/fire-recording.ts
 *   (`insertFireExecutions`; `cancelForOverlap` for cancel_previous).
 * - start: packages/db/src/statements/execution-start.ts (`startStatement`: the `overlapped` test on `overlap_check` rows).
 * - end: packages/db/src/statements/execution-finish.ts (`releaseHeldStatement`, run with each end that finishes a fire).
 * A pause, delete or disable skips held and `overlap_check` rows like any unstarted fire (`reason: paused`
 * or `deleted`: packages/db/src/repos/schedules.ts, `skipUnstartedFires`).
 */

type Overlap = Static<typeof OverlapPolicy>

export interface UnfinishedExecution {
  id: string
  status: ExecutionStatus
}

export interface OverlapDecision {
  action: 'run' | 'skip' | 'buffer' | 'cancel_previous_then_run'
  /** With cancel_previous_then_run: the executions to cancel before the new one runs. */
  cancelIds: string[]
}

/**
 * What a new fire does while earlier executions of its schedule may be unfinished.
 * - `unfinished`: the schedule's earlier executions (anything not queued/running/retrying is ignored),
 *   NOT counting fires held back by buffer_one;
 * - `bufferedWaiting`: fires held back by buffer_one, waiting for the earlier execution to end.
 * `skip` → skip; `allow` → run; `cancel_previous` → cancel every unfinished one, then run; `buffer_one` →
 * buffer when none is waiting yet, else skip (at most one waiting fire: a waiting fire, even with nothing
 * unfinished left, is about to be started and holds the one slot). Manual runs do not come here.
 */
export function overlapDecision(
  policy: Overlap,
  unfinished: readonly UnfinishedExecution[],
  bufferedWaiting: number,
): OverlapDecision {
  const live = unfinished.filter((e) => isUnfinished(e.status))
  if (policy === 'buffer_one' && bufferedWaiting > 0) return { action: 'skip', cancelIds: [] }
  if (live.length === 0 || policy === 'allow') return { action: 'run', cancelIds: [] }
  switch (policy) {
    case 'skip':
      return { action: 'skip', cancelIds: [] }
    case 'buffer_one':
      return { action: 'buffer', cancelIds: [] }
    case 'cancel_previous':
      return { action: 'cancel_previous_then_run', cancelIds: live.map((e) => e.id) }
  }
}
