import type { RedriveBody } from '@punctual/client'
import { useState } from 'preact/hooks'
import { api, call, fieldErrors } from '../api.ts'
import { can } from '../session.ts'
import { ErrorMessage, Field, FormProblem, Loading, PageHeader, Pager, useCursor } from '../ui/components.tsx'
import { useLoad } from '../ui/hooks.ts'
import { ExecutionsTable } from './executions.tsx'
import { useWorkflows } from './schedules.tsx'

type Filter = RedriveBody['filter']

/** datetime-local value (local time) → ISO, or undefined when empty. */
function isoOf(local: string): string | undefined {
  if (!local) return undefined
  const d = new Date(local)
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString()
}

/**
 * The dead-letter queue: dead executions, filtered as POST /api/executions/redrive filters them; a bulk redrive
 * first shows its dry-run count, then redrives exactly those (the dry run's `finishedTo` is sent back).
 */
export function DeadLetterPage() {
  const workflows = useWorkflows()
  const [form, setForm] = useState({
    workflowId: '',
    scheduleId: '',
    triggerId: '',
    errorClass: '',
    finishedFrom: '',
    finishedTo: '',
  })
  const [applied, setApplied] = useState<Filter>({})
  const [dryRun, setDryRun] = useState<{ matched: number; finishedTo: string } | null>(null)
  const [result, setResult] = useState<string>()
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const pages = useCursor()
  const list = useLoad(
    () =>
      call(
        api.GET('/api/executions', {
          params: {
            query: {
              status: 'dead',
              limit: 100,
              ...(pages.cursor && { cursor: pages.cursor }),
              ...(applied.scheduleId && { scheduleId: applied.scheduleId }),
              ...(applied.triggerId && { triggerId: applied.triggerId }),
            },
          },
        }),
      ),
    [pages.cursor, applied],
    5000,
  )
  const filter = (): Filter => {
    const f: Filter = {}
    if (form.workflowId) f.workflowId = form.workflowId
    if (form.scheduleId.trim()) f.scheduleId = form.scheduleId.trim()
    if (form.triggerId.trim()) f.triggerId = form.triggerId.trim()
    if (form.errorClass) f.errorClass = form.errorClass as 'retryable'
    const from = isoOf(form.finishedFrom)
    const to = isoOf(form.finishedTo)
    if (from) f.finishedFrom = from
    if (to) f.finishedTo = to
    return f
  }
  // The list shows what the filter selects; the fields the list route cannot filter on are applied here.
  const items = (list.data?.items ?? []).filter(
    (e) =>
      (!applied.workflowId || e.workflowId === applied.workflowId) &&
      (!applied.errorClass || e.error?.class === applied.errorClass) &&
      (!applied.finishedFrom || (e.finishedAt ?? '') >= applied.finishedFrom) &&
      (!applied.finishedTo || (e.finishedAt ?? '') <= applied.finishedTo),
  )
  const errors = fieldErrors(error)
  const set = (k: keyof typeof form) => (e: { currentTarget: { value: string } }) => {
    setForm({ ...form, [k]: e.currentTarget.value })
    setDryRun(null)
  }
  const shown = [
    'filter.workflowId',
    'filter.scheduleId',
    'filter.triggerId',
    'filter.errorClass',
    'filter.finishedFrom',
    'filter.finishedTo',
  ]
  return (
    <>
      <PageHeader title="Dead-letter queue" />
      <form
        class="filters"
        aria-label="Filter dead executions"
        onSubmit={(e) => {
          e.preventDefault()
          setApplied(filter())
          pages.reset()
        }}
      >
        <Field label="Workflow" name="filter.workflowId" errors={errors}>
          {(a) => (
            <select {...a} value={form.workflowId} onChange={set('workflowId')}>
              <option value="">any</option>
              {(workflows.data ?? []).map((w) => (
                <option key={w.id} value={w.id}>
                  {w.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Schedule id" name="filter.scheduleId" errors={errors}>
          {(a) => <input {...a} value={form.scheduleId} onInput={set('scheduleId')} />}
        </Field>
        <Field label="Trigger id" name="filter.triggerId" errors={errors}>
          {(a) => <input {...a} value={form.triggerId} onInput={set('triggerId')} />}
        </Field>
        <Field label="Error class" name="filter.errorClass" errors={errors}>
          {(a) => (
            <select {...a} value={form.errorClass} onChange={set('errorClass')}>
              <option value="">any</option>
              <option>retryable</option>
              <option>permanent</option>
            </select>
          )}
        </Field>
        <Field label="Finished from" name="filter.finishedFrom" errors={errors}>
          {(a) => (
            <input {...a} type="datetime-local" value={form.finishedFrom} onInput={set('finishedFrom')} />
          )}
        </Field>
        <Field label="Finished to" name="filter.finishedTo" errors={errors}>
          {(a) => <input {...a} type="datetime-local" value={form.finishedTo} onInput={set('finishedTo')} />}
        </Field>
        <div class="actions">
          <button type="submit">Apply filter</button>
          {can('editor') && (
            <button
              type="button"
              disabled={busy}
              onClick={async () => {
                setBusy(true)
                setError(undefined)
                setResult(undefined)
                try {
                  const r = await call(
                    api.POST('/api/executions/redrive', { body: { filter: filter(), dryRun: true } }),
                  )
                  setDryRun({ matched: r.matched, finishedTo: r.finishedTo })
                } catch (err) {
                  setError(err)
                } finally {
                  setBusy(false)
                }
              }}
            >
              Redrive…
            </button>
          )}
        </div>
      </form>
      <FormProblem error={error} shown={shown} />
      {dryRun && can('editor') && (
        <div class="notice confirm" role="status" data-dry-run={dryRun.matched}>
          <p>
            {dryRun.matched === 0
              ? 'No dead execution matches this filter (or all were redriven already).'
              : `${dryRun.matched} dead execution${dryRun.matched === 1 ? '' : 's'} match${dryRun.matched === 1 ? 'es' : ''}: redrive ${dryRun.matched === 1 ? 'it' : 'them'}?`}
          </p>
          {dryRun.matched > 0 && (
            <button
              type="button"
              disabled={busy}
              onClick={async () => {
                setBusy(true)
                setError(undefined)
                try {
                  const r = await call(
                    api.POST('/api/executions/redrive', {
                      body: { filter: { ...filter(), finishedTo: dryRun.finishedTo } },
                    }),
                  )
                  setResult(`Redrove ${r.matched} execution${r.matched === 1 ? '' : 's'}.`)
                  setDryRun(null)
                  list.reload()
                } catch (err) {
                  setError(err)
                } finally {
                  setBusy(false)
                }
              }}
            >
              Redrive {dryRun.matched}
            </button>
          )}
          <button type="button" class="link" onClick={() => setDryRun(null)}>
            Cancel
          </button>
        </div>
      )}
      {result && (
        <p class="notice" role="status" data-redrive-result>
          {result}
        </p>
      )}
      <ErrorMessage error={list.error} />
      {!list.data && list.loading ? (
        <Loading what="dead executions" />
      ) : (
        <ExecutionsTable items={items} caption="Dead executions" />
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
