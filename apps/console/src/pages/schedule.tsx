import type { Execution, Schedule } from '@punctual/client'
import { useState } from 'preact/hooks'
import { api, call } from '../api.ts'
import { Link } from '../router.tsx'
import { can } from '../session.ts'
import { ActionButton, ErrorMessage, Loading, PageHeader, Status } from '../ui/components.tsx'
import { fmtMs, fmtTime, isTransitionDay } from '../ui/format.ts'
import { useLoad } from '../ui/hooks.ts'
import { timelineEntry } from '../ui/timeline.ts'
import { useWorkflows } from './schedules.tsx'

/** One schedule: its facts, its next fires in its own zone, its history as a timeline, and what to do with it. */
export function SchedulePage({ params }: { params: Record<string, string> }) {
  const id = params['id'] as string
  const schedule = useLoad(
    () => call(api.GET('/api/schedules/{id}', { params: { path: { id } } })),
    [id],
    5000,
  )
  // The newest runs, refreshed every 2 s; "Show older" widens the window (up to the route's 500 a page).
  const [limit, setLimit] = useState(50)
  const history = useLoad(
    () => call(api.GET('/api/schedules/{id}/history', { params: { path: { id }, query: { limit } } })),
    [id, limit],
    2000,
  )
  const s = schedule.data
  if (!s) return schedule.error ? <ErrorMessage error={schedule.error} /> : <Loading what="the schedule" />
  const reload = () => {
    schedule.reload()
    history.reload()
  }
  return (
    <>
      <PageHeader title={s.name}>
        {can('editor') && <ScheduleActions schedule={s} onDone={reload} />}
      </PageHeader>
      <ErrorMessage error={schedule.error} />
      <ScheduleFacts schedule={s} />
      <NextFires schedule={s} />
      <section aria-labelledby="timeline">
        <h2 id="timeline">History</h2>
        <p>
          <Link href={`/executions?scheduleId=${id}`}>All executions of this schedule</Link>
        </p>
        <ErrorMessage error={history.error} />
        <Timeline items={history.data?.items ?? []} timeZone={s.timezone} />
        {history.data?.nextCursor && limit < 500 && (
          <button type="button" onClick={() => setLimit(Math.min(500, limit + 100))}>
            Show older
          </button>
        )}
      </section>
    </>
  )
}

function ScheduleActions({ schedule: s, onDone }: { schedule: Schedule; onDone: () => void }) {
  const path = { params: { path: { id: s.id } } }
  return (
    <>
      {s.state === 'active' && (
        <ActionButton
          label="Pause"
          onRun={async () => {
            await call(api.POST('/api/schedules/{id}/pause', { ...path, body: {} }))
            onDone()
          }}
        />
      )}
      {s.state === 'paused' && (
        <ActionButton
          label="Resume"
          onRun={async () => {
            await call(api.POST('/api/schedules/{id}/resume', path))
            onDone()
          }}
        />
      )}
      <ActionButton
        label="Trigger now"
        onRun={async () => {
          await call(api.POST('/api/schedules/{id}/trigger', { ...path, body: {} }))
          onDone()
        }}
      />
      <Link class="button" href={`/schedules/${s.id}/edit`}>
        Edit
      </Link>
    </>
  )
}

function ScheduleFacts({ schedule: s }: { schedule: Schedule }) {
  const workflows = useWorkflows()
  return (
    <dl class="facts">
      <dt>State</dt>
      <dd>
        <Status status={s.state} />
        {s.pausedNote && <span class="muted"> ({s.pausedNote})</span>}
      </dd>
      <dt>Cron</dt>
      <dd>
        <code>{s.cronExpression}</code> in {s.timezone}
      </dd>
      <dt>Workflow</dt>
      <dd>
        <Link href={`/workflows/${s.workflowId}`}>
          {workflows.data?.find((w) => w.id === s.workflowId)?.name ?? s.workflowId}
        </Link>
      </dd>
      <dt>Overlap</dt>
      <dd>{s.overlapPolicy}</dd>
      <dt>Jitter</dt>
      <dd>{fmtMs(s.jitterMs)}</dd>
      <dt>Fires so far</dt>
      <dd>
        {s.executionCount} ({s.missedCount} missed)
      </dd>
    </dl>
  )
}

/** The next 10 fires in the schedule's zone, those on a DST transition day marked. */
function NextFires({ schedule: s }: { schedule: Schedule }) {
  const preview = useLoad(
    async () =>
      (
        await call(
          api.POST('/api/cron/preview', {
            body: { expression: s.cronExpression, timezone: s.timezone, count: 10 },
          }),
        )
      ).nextRuns,
    [s.cronExpression, s.timezone],
    60_000,
  )
  return (
    <section aria-labelledby="next-fires">
      <h2 id="next-fires">Next fires ({s.timezone})</h2>
      {s.state !== 'active' && (
        <p class="muted">The schedule is {s.state}: these fire only once it is active.</p>
      )}
      <ErrorMessage error={preview.error} />
      <ol class="fires">
        {(preview.data ?? [])
          .filter((t) => Date.parse(t) > Date.now())
          .map((t) => {
            const dst = isTransitionDay(new Date(t), s.timezone)
            return (
              <li key={t} class={dst ? 'dst' : undefined}>
                <time dateTime={t}>{fmtTime(t, s.timezone)}</time>
                {dst && (
                  <span class="tag" title="The clocks change on this day in this time zone">
                    DST transition day
                  </span>
                )}
              </li>
            )
          })}
      </ol>
    </section>
  )
}

function Timeline({ items, timeZone }: { items: Execution[]; timeZone: string }) {
  if (items.length === 0) return <p class="muted">No run yet.</p>
  const entries = items.map((e) => timelineEntry(e))
  return (
    <>
      <div class="strip" aria-hidden="true">
        {[...entries].reverse().map((t) => (
          <span
            key={t.execution.id}
            class={`tick tick-${t.outcome}${t.lateMs !== null ? ' tick-late' : ''}`}
          />
        ))}
      </div>
      <ol class="timeline" data-testid="timeline">
        {entries.map((t) => {
          const e = t.execution
          return (
            <li key={e.id} class={`entry entry-${t.outcome}`} data-outcome={t.outcome}>
              <time dateTime={e.scheduledFor}>{fmtTime(e.scheduledFor, timeZone)}</time>{' '}
              <Status status={t.outcome} />
              {e.kind !== 'fire' && <span class="tag">{e.kind}</span>}
              {t.lateMs !== null && (
                <span class="tag tag-late" data-late>
                  late by {fmtMs(t.lateMs)}
                </span>
              )}
              {e.error?.reason && <span class="muted"> reason: {e.error.reason}</span>}
              {t.outcome === 'failed' && e.error?.message && <span class="muted"> {e.error.message}</span>}{' '}
              <Link href={`/executions/${e.id}`}>details</Link>
            </li>
          )
        })}
      </ol>
    </>
  )
}
