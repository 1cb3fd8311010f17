import type { Execution, Schedule, ScheduleWarning, Workflow } from '@punctual/client'
import { useEffect, useState } from 'preact/hooks'
import { api, call, fieldErrors } from '../api.ts'
import { Link, navigate } from '../router.tsx'
import { can } from '../session.ts'
import {
  ActionButton,
  ErrorMessage,
  Field,
  FormProblem,
  Loading,
  PageHeader,
  Pager,
  Status,
  Table,
  useCursor,
} from '../ui/components.tsx'
import { fmtMs, fmtTime, isTransitionDay } from '../ui/format.ts'
import { useLoad } from '../ui/hooks.ts'
import { timelineEntry } from '../ui/timeline.ts'

const STATES = ['active', 'paused', 'completed', 'expired'] as const

export function useWorkflows() {
  return useLoad(
    async () => (await call(api.GET('/api/workflows', { params: { query: { limit: 500 } } }))).items,
    [],
  )
}

export function SchedulesPage({ query }: { query: URLSearchParams }) {
  const [state, setState] = useState(query.get('state') ?? '')
  const [workflowId, setWorkflowId] = useState(query.get('workflowId') ?? '')
  const [search, setSearch] = useState(query.get('search') ?? '')
  const [searched, setSearched] = useState(search.trim())
  const pages = useCursor()
  // Searched on the server (name contains, case-insensitive) once typing pauses.
  useEffect(() => {
    const timer = setTimeout(() => {
      if (search.trim() !== searched) {
        setSearched(search.trim())
        pages.reset()
      }
    }, 300)
    return () => clearTimeout(timer)
  }, [search, searched, pages.reset])
  const workflows = useWorkflows()
  const list = useLoad(
    () =>
      call(
        api.GET('/api/schedules', {
          params: {
            query: {
              limit: 50,
              ...(pages.cursor && { cursor: pages.cursor }),
              ...(state && { state: state as (typeof STATES)[number] }),
              ...(workflowId && { workflowId }),
              ...(searched && { search: searched }),
            },
          },
        }),
      ),
    [pages.cursor, state, workflowId, searched],
  )
  const names = new Map((workflows.data ?? []).map((w) => [w.id, w.name]))
  const items = list.data?.items ?? []
  return (
    <>
      <PageHeader title="Schedules">
        {can('editor') && (
          <Link class="button" href="/schedules/new">
            New schedule
          </Link>
        )}
      </PageHeader>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter schedules">
        <label>
          Search <input type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </label>
        <label>
          State{' '}
          <select
            value={state}
            onChange={(e) => {
              setState(e.currentTarget.value)
              pages.reset()
            }}
          >
            <option value="">any</option>
            {STATES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Workflow{' '}
          <select
            value={workflowId}
            onChange={(e) => {
              setWorkflowId(e.currentTarget.value)
              pages.reset()
            }}
          >
            <option value="">any</option>
            {(workflows.data ?? []).map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
              </option>
            ))}
          </select>
        </label>
      </form>
      <ErrorMessage error={list.error} />
      {!list.data && list.loading ? (
        <Loading what="schedules" />
      ) : (
        <Table caption="Schedules" empty={items.length === 0}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">State</th>
              <th scope="col">Cron</th>
              <th scope="col">Zone</th>
              <th scope="col">Next run</th>
              <th scope="col">Workflow</th>
            </tr>
          </thead>
          <tbody>
            {items.map((s) => (
              <tr key={s.id}>
                <td>
                  <Link href={`/schedules/${s.id}`}>{s.name}</Link>
                </td>
                <td>
                  <Status status={s.state} />
                </td>
                <td>
                  <code>{s.cronExpression}</code>
                </td>
                <td>{s.timezone}</td>
                <td>{fmtTime(s.nextRunAt, s.timezone)}</td>
                <td>{names.get(s.workflowId) ?? s.workflowId.slice(-8)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <Pager
        hasPrev={pages.hasPrev}
        next={list.data?.nextCursor}
        onPrev={pages.prev}
        onNext={() => list.data?.nextCursor && pages.next(list.data.nextCursor)}
      />
    </>
  )
}

export function SchedulePage({ params }: { params: Record<string, string> }) {
  const id = params['id'] as string
  const schedule = useLoad(
    () => call(api.GET('/api/schedules/{id}', { params: { path: { id } } })),
    [id],
    5000,
  )
  const history = useLoad(
    () => call(api.GET('/api/schedules/{id}/history', { params: { path: { id }, query: { limit: 50 } } })),
    [id],
    2000,
  )
  const workflows = useWorkflows()
  const s = schedule.data
  const preview = useLoad(
    async () =>
      s
        ? (
            await call(
              api.POST('/api/cron/preview', {
                body: { expression: s.cronExpression, timezone: s.timezone, count: 10 },
              }),
            )
          ).nextRuns
        : [],
    [s?.cronExpression, s?.timezone],
    60_000,
  )
  if (!s) return schedule.error ? <ErrorMessage error={schedule.error} /> : <Loading what="the schedule" />
  const reload = () => {
    schedule.reload()
    history.reload()
  }
  return (
    <>
      <PageHeader title={s.name}>
        {can('editor') && (
          <>
            {s.state === 'active' && (
              <ActionButton
                label="Pause"
                onRun={async () => {
                  await call(api.POST('/api/schedules/{id}/pause', { params: { path: { id } }, body: {} }))
                  reload()
                }}
              />
            )}
            {s.state === 'paused' && (
              <ActionButton
                label="Resume"
                onRun={async () => {
                  await call(api.POST('/api/schedules/{id}/resume', { params: { path: { id } } }))
                  reload()
                }}
              />
            )}
            <ActionButton
              label="Trigger now"
              onRun={async () => {
                await call(api.POST('/api/schedules/{id}/trigger', { params: { path: { id } }, body: {} }))
                history.reload()
              }}
            />
            <Link class="button" href={`/schedules/${id}/edit`}>
              Edit
            </Link>
          </>
        )}
      </PageHeader>
      <ErrorMessage error={schedule.error} />
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
      <section aria-labelledby="timeline">
        <h2 id="timeline">History</h2>
        <p>
          <Link href={`/executions?scheduleId=${id}`}>All executions of this schedule</Link>
        </p>
        <ErrorMessage error={history.error} />
        <Timeline items={history.data?.items ?? []} jitterMs={s.jitterMs} timeZone={s.timezone} />
      </section>
    </>
  )
}

function Timeline({ items, jitterMs, timeZone }: { items: Execution[]; jitterMs: number; timeZone: string }) {
  if (items.length === 0) return <p class="muted">No run yet.</p>
  const entries = items.map((e) => timelineEntry(e, jitterMs))
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

const OVERLAP = ['skip', 'allow', 'buffer_one', 'cancel_previous']

export function ScheduleEditPage({
  params,
  query,
}: {
  params: Record<string, string>
  query: URLSearchParams
}) {
  const id = params['id']
  const existing = useLoad(
    async () => (id ? call(api.GET('/api/schedules/{id}', { params: { path: { id } } })) : null),
    [id],
  )
  const workflows = useWorkflows()
  if (id && !existing.data)
    return existing.error ? <ErrorMessage error={existing.error} /> : <Loading what="the schedule" />
  return (
    <ScheduleForm
      key={id ?? 'new'}
      existing={existing.data ?? null}
      workflows={workflows.data ?? []}
      defaultWorkflow={query.get('workflowId') ?? ''}
    />
  )
}

function ScheduleForm(props: { existing: Schedule | null; workflows: Workflow[]; defaultWorkflow: string }) {
  const s = props.existing
  const [form, setForm] = useState({
    workflowId: s?.workflowId ?? props.defaultWorkflow,
    name: s?.name ?? '',
    cronExpression: s?.cronExpression ?? '',
    timezone: s?.timezone ?? 'UTC',
    overlapPolicy: s?.overlapPolicy ?? 'skip',
    jitterMs: String(s?.jitterMs ?? 0),
    maxAttempts: String((s?.retryPolicy as { maxAttempts?: number } | undefined)?.maxAttempts ?? 3),
    input: JSON.stringify(s?.input ?? {}, null, 2),
  })
  const [error, setError] = useState<unknown>()
  const [warnings, setWarnings] = useState<{ id: string; items: ScheduleWarning[] } | null>(null)
  const [busy, setBusy] = useState(false)
  const errors = { ...fieldErrors(error) }
  const set = (k: keyof typeof form) => (e: { currentTarget: { value: string } }) =>
    setForm({ ...form, [k]: e.currentTarget.value })
  let input: Record<string, unknown> | undefined
  try {
    input = JSON.parse(form.input)
  } catch {
    errors['input'] = errors['input'] ?? 'is not valid JSON'
  }
  const shown = [
    'workflowId',
    'name',
    'cronExpression',
    'timezone',
    'overlapPolicy',
    'jitterMs',
    'retryPolicy.maxAttempts',
    'input',
  ]
  return (
    <>
      <PageHeader title={s ? `Edit ${s.name}` : 'New schedule'} />
      <form
        class="form"
        noValidate
        onSubmit={async (e) => {
          e.preventDefault()
          if (!input) return
          setBusy(true)
          setError(undefined)
          const body = {
            workflowId: form.workflowId,
            name: form.name,
            cronExpression: form.cronExpression,
            timezone: form.timezone,
            overlapPolicy: form.overlapPolicy as 'skip',
            jitterMs: Number(form.jitterMs),
            retryPolicy: { maxAttempts: Number(form.maxAttempts) },
            input,
          }
          try {
            const saved = s
              ? await call(api.PATCH('/api/schedules/{id}', { params: { path: { id: s.id } }, body }))
              : await call(api.POST('/api/schedules', { body }))
            if (saved.warnings.length) setWarnings({ id: saved.id, items: saved.warnings })
            else navigate(`/schedules/${saved.id}`)
          } catch (err) {
            setError(err)
          } finally {
            setBusy(false)
          }
        }}
      >
        <FormProblem error={error} shown={shown} />
        <Field label="Workflow" name="workflowId" errors={errors}>
          {(a) => (
            <select {...a} value={form.workflowId} onChange={set('workflowId')}>
              <option value="">— choose —</option>
              {props.workflows.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Name" name="name" errors={errors}>
          {(a) => <input {...a} value={form.name} onInput={set('name')} />}
        </Field>
        <Field
          label="Cron expression"
          name="cronExpression"
          errors={errors}
          hint="5 fields (minute first) or 6 (second first), e.g. 0 9 * * 1-5"
        >
          {(a) => (
            <input {...a} value={form.cronExpression} onInput={set('cronExpression')} spellcheck={false} />
          )}
        </Field>
        <Field label="Time zone" name="timezone" errors={errors} hint="An IANA name, e.g. Europe/Paris">
          {(a) => <input {...a} value={form.timezone} onInput={set('timezone')} />}
        </Field>
        <Field label="When a run is still going" name="overlapPolicy" errors={errors}>
          {(a) => (
            <select {...a} value={form.overlapPolicy} onChange={set('overlapPolicy')}>
              {OVERLAP.map((o) => (
                <option key={o}>{o}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Jitter (ms)" name="jitterMs" errors={errors}>
          {(a) => <input {...a} inputMode="numeric" value={form.jitterMs} onInput={set('jitterMs')} />}
        </Field>
        <Field label="Attempts (retry policy)" name="retryPolicy.maxAttempts" errors={errors}>
          {(a) => <input {...a} inputMode="numeric" value={form.maxAttempts} onInput={set('maxAttempts')} />}
        </Field>
        <Field label="Input (JSON object)" name="input" errors={errors}>
          {(a) => <textarea {...a} rows={4} value={form.input} onInput={set('input')} spellcheck={false} />}
        </Field>
        <div class="actions">
          <button type="submit" disabled={busy}>
            {s ? 'Save' : 'Create'}
          </button>
        </div>
        {warnings && (
          <div class="notice" role="status">
            <p>Saved, with warnings:</p>
            <ul>
              {warnings.items.map((w) => (
                <li key={w.message}>{w.message}</li>
              ))}
            </ul>
            <button type="button" onClick={() => navigate(`/schedules/${warnings.id}`)}>
              Continue
            </button>
          </div>
        )}
      </form>
    </>
  )
}
