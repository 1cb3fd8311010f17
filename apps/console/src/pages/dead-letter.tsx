import type { RedriveBody, Workflow } from '@punctual/client'
import { useState } from 'preact/hooks'
import { api, call, fieldErrors } from '../api.ts'
import { can } from '../session.ts'
import {
  ErrorMessage,
  Field,
  FormProblem,
  Loading,
  PageHeader,
  Pager,
  useCursor,
  WorkflowSelect,
} from '../ui/components.tsx'
import { useLoad } from '../ui/hooks.ts'
import { ExecutionsTable } from './executions.tsx'
import { useWorkflows } from './schedules.tsx'

type Filter = RedriveBody['filter']
type FilterForm = typeof EMPTY
const EMPTY = {
  workflowId: '',
  scheduleId: '',
  triggerId: '',
  errorClass: '',
  finishedFrom: '',
  finishedTo: '',
}
const SHOWN = Object.keys(EMPTY).map((k) => `filter.${k}`)

/** datetime-local value (local time) → ISO, or undefined when empty. */
function isoOf(local: string): string | undefined {
  if (!local) return undefined
  const d = new Date(local)
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString()
}

/** The redrive filter the form describes (only the fields filled in). */
function toFilter(form: FilterForm): Filter {
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

/**
 * The dead-letter queue: dead executions, filtered as POST /api/executions/redrive filters them; a bulk redrive
 * first shows its dry-run count, then redrives exactly those (the dry run's `finishedTo` is sent back).
 */
export function DeadLetterPage() {
  const workflows = useWorkflows()
  const [form, setForm] = useState(EMPTY)
  const [applied, setApplied] = useState<Filter>({})
  const pages = useCursor()
  const list = useDeadList(pages.cursor, applied)
  const redrive = useRedrive(() => toFilter(form), list.reload)
  const { dryRun, result, error, busy } = redrive
  return (
    <>
      <PageHeader title="Dead-letter queue" />
      <form
        class="filters"
        aria-label="Filter dead executions"
        onSubmit={(e) => {
          e.preventDefault()
          setApplied(toFilter(form))
          pages.reset()
        }}
      >
        <FilterFields
          form={form}
          errors={fieldErrors(error)}
          workflows={workflows.data ?? []}
          onChange={(next) => {
            setForm(next)
            redrive.clear()
          }}
        />
        <div class="actions">
          <button type="submit">Apply filter</button>
          {can('editor') && (
            <button type="button" disabled={busy} onClick={redrive.countFirst}>
              Redrive…
            </button>
          )}
        </div>
      </form>
      <FormProblem error={error} shown={SHOWN} />
      {dryRun && can('editor') && (
        <RedriveConfirm
          matched={dryRun.matched}
          busy={busy}
          onConfirm={() => redrive.confirm(dryRun.finishedTo)}
          onCancel={redrive.clear}
        />
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
        <ExecutionsTable items={list.items} caption="Dead executions" />
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

/** The bulk redrive: a dry run counts first; the confirmed redrive sends the dry run's `finishedTo` back. */
function useRedrive(filter: () => Filter, onDone: () => void) {
  const [dryRun, setDryRun] = useState<{ matched: number; finishedTo: string } | null>(null)
  const [result, setResult] = useState<string>()
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const run = async (work: () => Promise<void>) => {
    setBusy(true)
    setError(undefined)
    try {
      await work()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return {
    dryRun,
    result,
    error,
    busy,
    clear: () => setDryRun(null),
    countFirst: () =>
      run(async () => {
        setResult(undefined)
        const r = await call(
          api.POST('/api/executions/redrive', { body: { filter: filter(), dryRun: true } }),
        )
        setDryRun({ matched: r.matched, finishedTo: r.finishedTo })
      }),
    confirm: (finishedTo: string) =>
      run(async () => {
        const r = await call(
          api.POST('/api/executions/redrive', { body: { filter: { ...filter(), finishedTo } } }),
        )
        setResult(`Redrove ${r.matched} execution${r.matched === 1 ? '' : 's'}.`)
        setDryRun(null)
        onDone()
      }),
  }
}

/** Dead executions matching the applied filter: the list route filters by schedule and trigger, the rest here. */
function useDeadList(cursor: string | undefined, applied: Filter) {
  const list = useLoad(
    () =>
      call(
        api.GET('/api/executions', {
          params: {
            query: {
              status: 'dead',
              limit: 100,
              ...(cursor && { cursor }),
              ...(applied.scheduleId && { scheduleId: applied.scheduleId }),
              ...(applied.triggerId && { triggerId: applied.triggerId }),
            },
          },
        }),
      ),
    [cursor, applied],
    5000,
  )
  const items = (list.data?.items ?? []).filter(
    (e) =>
      (!applied.workflowId || e.workflowId === applied.workflowId) &&
      (!applied.errorClass || e.error?.class === applied.errorClass) &&
      (!applied.finishedFrom || (e.finishedAt ?? '') >= applied.finishedFrom) &&
      (!applied.finishedTo || (e.finishedAt ?? '') <= applied.finishedTo),
  )
  return { ...list, items }
}

function FilterFields(props: {
  form: FilterForm
  errors: Record<string, string>
  workflows: Workflow[]
  onChange: (form: FilterForm) => void
}) {
  const { form, errors } = props
  const set = (k: keyof FilterForm) => (e: { currentTarget: { value: string } }) =>
    props.onChange({ ...form, [k]: e.currentTarget.value })
  return (
    <>
      <Field label="Workflow" name="filter.workflowId" errors={errors}>
        {(a) => (
          <WorkflowSelect
            attrs={a}
            workflows={props.workflows}
            value={form.workflowId}
            blank="any"
            onChange={set('workflowId')}
          />
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
    </>
  )
}

function RedriveConfirm(props: {
  matched: number
  busy: boolean
  onConfirm: () => void
  onCancel: () => void
}) {
  const n = props.matched
  return (
    <div class="notice confirm" role="status" data-dry-run={n}>
      <p>
        {n === 0
          ? 'No dead execution matches this filter (or all were redriven already).'
          : `${n} dead execution${n === 1 ? '' : 's'} match${n === 1 ? 'es' : ''}: redrive ${n === 1 ? 'it' : 'them'}?`}
      </p>
      {n > 0 && (
        <button type="button" disabled={props.busy} onClick={props.onConfirm}>
          Redrive {n}
        </button>
      )}
      <button type="button" class="link" onClick={props.onCancel}>
        Cancel
      </button>
    </div>
  )
}
