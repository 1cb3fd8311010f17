import type { Execution } from '@punctual/client'
import { useState } from 'preact/hooks'
import { api, call } from '../api.ts'
import { Link, navigate } from '../router.tsx'
import { can } from '../session.ts'
import {
  ActionButton,
  ErrorMessage,
  Loading,
  PageHeader,
  Pager,
  Status,
  Table,
  useCursor,
} from '../ui/components.tsx'
import { fmtMs, fmtTime, shortId } from '../ui/format.ts'
import { useLoad } from '../ui/hooks.ts'

type ExecutionStatus = Execution['status']
/** Every status of the API's schema, in the filter's order (one the client's type gains or loses fails the build). */
const LISTED = {
  queued: true,
  running: true,
  retrying: true,
  succeeded: true,
  dead: true,
  skipped: true,
  missed: true,
  cancelled: true,
} satisfies Record<ExecutionStatus, true>
const STATUSES = Object.keys(LISTED) as ExecutionStatus[]

export function ExecutionsTable({ items, caption }: { items: Execution[]; caption: string }) {
  return (
    <Table caption={caption} empty={items.length === 0}>
      <thead>
        <tr>
          <th scope="col">Execution</th>
          <th scope="col">Status</th>
          <th scope="col">Kind</th>
          <th scope="col">Scheduled for</th>
          <th scope="col">Duration</th>
          <th scope="col">Error</th>
        </tr>
      </thead>
      <tbody>
        {items.map((e) => (
          <tr key={e.id}>
            <td>
              <Link href={`/executions/${e.id}`}>{shortId(e.id)}</Link>
            </td>
            <td>
              <Status status={e.status} />
            </td>
            <td>{e.kind}</td>
            <td>{fmtTime(e.scheduledFor)}</td>
            <td>
              {e.startedAt && e.finishedAt ? fmtMs(Date.parse(e.finishedAt) - Date.parse(e.startedAt)) : '—'}
            </td>
            <td>
              {e.error ? (
                <>
                  {e.error.class && <span class="tag">{e.error.class}</span>} {e.error.message}
                </>
              ) : (
                '—'
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  )
}

export function ExecutionsPage({ query }: { query: URLSearchParams }) {
  const [status, setStatus] = useState(query.get('status') ?? '')
  const scheduleId = query.get('scheduleId') ?? undefined
  const triggerId = query.get('triggerId') ?? undefined
  const pages = useCursor()
  const list = useLoad(
    () =>
      call(
        api.GET('/api/executions', {
          params: {
            query: {
              limit: 50,
              ...(pages.cursor && { cursor: pages.cursor }),
              ...(status && { status: status as ExecutionStatus }),
              ...(scheduleId && { scheduleId }),
              ...(triggerId && { triggerId }),
            },
          },
        }),
      ),
    [pages.cursor, status, scheduleId, triggerId],
    5000,
  )
  return (
    <>
      <PageHeader title="Executions" />
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter executions">
        <label>
          Status{' '}
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.currentTarget.value)
              pages.reset()
            }}
          >
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        {scheduleId && <span class="tag">schedule {shortId(scheduleId)}</span>}
        {triggerId && <span class="tag">trigger {shortId(triggerId)}</span>}
      </form>
      <ErrorMessage error={list.error} />
      {!list.data && list.loading ? (
        <Loading what="executions" />
      ) : (
        <ExecutionsTable items={list.data?.items ?? []} caption="Executions" />
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

const UNFINISHED = ['queued', 'running', 'retrying']

export function ExecutionPage({ params }: { params: Record<string, string> }) {
  const id = params['id'] as string
  const ex = useLoad(() => call(api.GET('/api/executions/{id}', { params: { path: { id } } })), [id], 3000)
  const e = ex.data
  if (!e) return ex.error ? <ErrorMessage error={ex.error} /> : <Loading what="the execution" />
  return (
    <>
      <PageHeader title={`Execution ${shortId(e.id)}`}>
        {can('editor') && UNFINISHED.includes(e.status) && (
          <ActionButton
            label="Cancel"
            confirm="Cancel this execution?"
            onRun={async () => {
              await call(api.POST('/api/executions/{id}/cancel', { params: { path: { id } } }))
              ex.reload()
            }}
          />
        )}
        {can('editor') && e.status === 'dead' && (
          <ActionButton
            label="Retry"
            onRun={async () => {
              const r = await call(
                api.POST('/api/executions/{id}/retry', { params: { path: { id } }, body: {} }),
              )
              navigate(`/executions/${r.executionId}`)
            }}
          />
        )}
      </PageHeader>
      <ErrorMessage error={ex.error} />
      <ExecutionFacts execution={e} />
      <h2>Steps</h2>
      <StepsTable steps={e.steps} />
      <details>
        <summary>Input</summary>
        <pre class="excerpt">{JSON.stringify(e.input, null, 2)}</pre>
      </details>
    </>
  )
}

function StepsTable({ steps }: { steps: Execution['steps'] }) {
  return (
    <Table caption="Steps" empty={steps.length === 0}>
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col">Attempt</th>
          <th scope="col">Status</th>
          <th scope="col">HTTP</th>
          <th scope="col">Duration</th>
          <th scope="col">Response excerpt / error</th>
        </tr>
      </thead>
      <tbody>
        {steps.map((st, i) => (
          <tr key={`${st.name}-${st.attempt ?? 1}-${i}`}>
            <td>
              {st.name} <span class="muted">({st.type})</span>
            </td>
            <td>{st.attempt ?? 1}</td>
            <td>
              <Status status={st.status} />
            </td>
            <td>{st.statusCode ?? '—'}</td>
            <td>{fmtMs(st.durationMs)}</td>
            <td>
              {st.error && <p class="field-error">{st.error}</p>}
              {st.body && (
                <pre class="excerpt">
                  {st.body.slice(0, 300)}
                  {st.body.length > 300 || st.bodyTruncated ? '…' : ''}
                </pre>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  )
}

function ExecutionFacts({ execution: e }: { execution: Execution }) {
  return (
    <dl class="facts">
      <dt>Status</dt>
      <dd>
        <Status status={e.status} /> (attempt {e.attempt})
      </dd>
      <dt>Kind</dt>
      <dd>{e.kind}</dd>
      <dt>Workflow</dt>
      <dd>
        <Link href={`/workflows/${e.workflowId}`}>{shortId(e.workflowId)}</Link>
      </dd>
      {e.scheduleId && (
        <>
          <dt>Schedule</dt>
          <dd>
            <Link href={`/schedules/${e.scheduleId}`}>{shortId(e.scheduleId)}</Link>
          </dd>
        </>
      )}
      {e.triggerId && (
        <>
          <dt>Trigger</dt>
          <dd>
            <Link href={`/triggers/${e.triggerId}`}>{shortId(e.triggerId)}</Link>
          </dd>
        </>
      )}
      {e.retryOf && (
        <>
          <dt>Redrive of</dt>
          <dd>
            <Link href={`/executions/${e.retryOf}`}>{shortId(e.retryOf)}</Link>
          </dd>
        </>
      )}
      <dt>Scheduled for</dt>
      <dd>{fmtTime(e.scheduledFor)}</dd>
      <dt>Started</dt>
      <dd>{fmtTime(e.startedAt)}</dd>
      <dt>Finished</dt>
      <dd>{fmtTime(e.finishedAt)}</dd>
      <dt>Error</dt>
      <dd>
        {e.error ? (
          <>
            {e.error.class && (
              <span class="tag" data-error-class={e.error.class}>
                {e.error.class}
              </span>
            )}{' '}
            {e.error.message}
            {e.error.reason && ` (reason: ${e.error.reason})`}
          </>
        ) : (
          '—'
        )}
      </dd>
    </dl>
  )
}
