/**
 * The scheduler's lifecycle events. Tests await them instead of sleeping; metrics and the event bus
 * (`schedule.completed`) subscribe to the same ones. Emitted after the Postgres COMMIT that made them true,
 * and after the Redis steps that follow it were attempted.
 */

export interface FireRecordedEvent {
  scheduleId: string
  executionId: string
  /** The nominal fire time. */
  scheduledFor: Date
  /** scheduledFor + stable jitter: when a worker may start it. */
  availableAt: Date
  /** buffer_one: kept in Postgres until the earlier execution ends (not in the Redis queue). */
  held: boolean
}

export interface FireSkippedEvent {
  scheduleId: string
  executionId: string
  scheduledFor: Date
}

export interface FireMissedEvent {
  scheduleId: string
  /** The fires recorded as `missed` rows by this claim (at most 100 per resumption). */
  scheduledFor: Date[]
  /** Every fire missed by this claim, rows included (what missed_count grew by). */
  count: number
}

export interface OverlapCancelledEvent {
  scheduleId: string
  /** queued / retrying executions cancelled at once (and taken out of the Redis queue). */
  cancelled: string[]
  /** running executions whose cancel was requested (their owner aborts the in-flight step). */
  cancelRequested: string[]
}

export interface ScheduleCompletedEvent {
  scheduleId: string
  tenant: string
  /** completed: maxExecutions reached; expired: no fire left before endDate. */
  state: 'completed' | 'expired'
}

export interface RoundEvent {
  /** Claims handled: taken from the due-index this round, plus held ones whose time came. */
  claims: number
  recorded: number
  skipped: number
  missed: number
  /** Claims kept by this scheduler until a fire's overlap decision can be made (or its row shows up). */
  held: number
  durationMs: number
}

export interface RoundFailedEvent {
  error: unknown
  /** Consecutive failed rounds, this one included. */
  failures: number
  retryInMs: number
}

export type SchedulerEvents = {
  'fire.recorded': [FireRecordedEvent]
  'fire.skipped': [FireSkippedEvent]
  'fire.missed': [FireMissedEvent]
  'overlap.cancelled': [OverlapCancelledEvent]
  'schedule.completed': [ScheduleCompletedEvent]
  round: [RoundEvent]
  'round.failed': [RoundFailedEvent]
}
