import { boolean, doublePrecision, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'

/**
 * Execution patterns per schedule for the optimizer (GET /api/schedules/optimizer), kept by the worker
 * (statements/schedule-patterns.ts): over the schedule's executions created in the last 7 days, at most its
 * newest 1,000. The API reads these rows, never the executions. No foreign key: a deleted schedule's row is
 * ignored (the API joins the active schedules) and removed by the next refresh that sees it.
 */
export const schedulePatterns = pgTable(
  'schedule_patterns',
  {
    scheduleId: uuid('schedule_id').primaryKey(),
    tenant: text('tenant').notNull(),
    /** Executions that started and finished. */
    runs: integer('runs').notNull(),
    p50DurationMs: integer('p50_duration_ms'),
    p95DurationMs: integer('p95_duration_ms'),
    /** dead / runs (0 without runs). */
    failureRate: doublePrecision('failure_rate').notNull(),
    /** p95 of started_at − scheduled_for over the started ones. */
    lateP95Ms: integer('late_p95_ms'),
    /** Executions counted that were not finished: the row is refreshed again until they are. */
    unfinished: integer('unfinished').notNull(),
    /** The oldest execution counted: once it leaves the 7 days the row is refreshed. */
    oldestId: uuid('oldest_id'),
    refreshedAt: timestamp('refreshed_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('schedule_patterns_tenant_idx').on(t.tenant)],
)

/** One row: where the last refresh got to. */
export const schedulePatternRefresh = pgTable('schedule_pattern_refresh', {
  singleton: boolean('singleton').primaryKey().default(true),
  /** The newest execution id the last refresh saw: those above it (less a margin) were not looked at yet. */
  watermarkId: uuid('watermark_id').notNull(),
  refreshedAt: timestamp('refreshed_at', { withTimezone: true, mode: 'date' }).notNull(),
})
