import type { EventEmitter } from 'node:events'
import type { RoundEvent, SchedulerEvents } from './events.ts'
import type { Committed } from './record-fires.ts'

/**
 * The lifecycle events of a committed chunk (fire.recorded / skipped / missed, overlap.cancelled,
 * schedule.completed), emitted after its Redis steps were attempted; the round's counts grow with them.
 */
export function emitRoundEvents(
  c: Committed,
  result: Pick<RoundEvent, 'recorded' | 'skipped' | 'missed'>,
  events: EventEmitter<SchedulerEvents>,
): void {
  const cancelled = new Set(c.cancelled)
  const requested = new Set(c.cancelRequested)
  for (const { row, decision } of c.decisions) {
    if (decision.kind !== 'fire') continue
    const scheduleId = row!.id
    const missedDates: Date[] = []
    for (const r of decision.rows) {
      if (!c.inserted.has(r.id)) continue
      const scheduledFor = new Date(r.scheduledForMs)
      if (r.status === 'queued') {
        result.recorded++
        events.emit('fire.recorded', {
          scheduleId,
          executionId: r.id,
          scheduledFor,
          availableAt: new Date(r.availableAtMs ?? r.scheduledForMs),
          held: r.held,
        })
      } else if (r.status === 'skipped') {
        result.skipped++
        events.emit('fire.skipped', { scheduleId, executionId: r.id, scheduledFor })
      } else missedDates.push(scheduledFor)
    }
    const missedCount = c.missedIncrements.get(scheduleId) ?? 0
    if (missedCount > 0) {
      result.missed += missedCount
      events.emit('fire.missed', { scheduleId, scheduledFor: missedDates, count: missedCount })
    }
    if (decision.cancelIds.length > 0) {
      events.emit('overlap.cancelled', {
        scheduleId,
        cancelled: decision.cancelIds.filter((id) => cancelled.has(id)),
        cancelRequested: decision.cancelIds.filter((id) => requested.has(id)),
      })
    }
    if (decision.state !== 'active' && c.written.has(scheduleId)) {
      events.emit('schedule.completed', { scheduleId, tenant: row!.tenant, state: decision.state })
    }
  }
}
