import type { Schedule, ScheduleWarning, Workflow } from '@punctual/client'
import { useState } from 'preact/hooks'
import { api, call, fieldErrors } from '../api.ts'
import { navigate } from '../router.tsx'
import { ErrorMessage, Field, FormProblem, Loading, PageHeader, WorkflowSelect } from '../ui/components.tsx'
import { useLoad } from '../ui/hooks.ts'
import { useWorkflows } from './schedules.tsx'

const OVERLAP = ['skip', 'allow', 'buffer_one', 'cancel_previous']

/** The fields the form shows: a problem naming any other field is listed above the form. */
const SHOWN = [
  'workflowId',
  'name',
  'cronExpression',
  'timezone',
  'overlapPolicy',
  'jitterMs',
  'retryPolicy.maxAttempts',
  'input',
]

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

type FormState = ReturnType<typeof initialForm>

function initialForm(s: Schedule | null, defaultWorkflow: string) {
  return {
    workflowId: s?.workflowId ?? defaultWorkflow,
    name: s?.name ?? '',
    cronExpression: s?.cronExpression ?? '',
    timezone: s?.timezone ?? 'UTC',
    overlapPolicy: s?.overlapPolicy ?? 'skip',
    jitterMs: String(s?.jitterMs ?? 0),
    maxAttempts: String((s?.retryPolicy as { maxAttempts?: number } | undefined)?.maxAttempts ?? 3),
    input: JSON.stringify(s?.input ?? {}, null, 2),
  }
}

function ScheduleForm(props: { existing: Schedule | null; workflows: Workflow[]; defaultWorkflow: string }) {
  const s = props.existing
  const [form, setForm] = useState(() => initialForm(s, props.defaultWorkflow))
  const [error, setError] = useState<unknown>()
  const [warnings, setWarnings] = useState<{ id: string; items: ScheduleWarning[] } | null>(null)
  const [busy, setBusy] = useState(false)
  const errors = { ...fieldErrors(error) }
  let input: Record<string, unknown> | undefined
  try {
    input = JSON.parse(form.input)
  } catch {
    errors['input'] = errors['input'] ?? 'is not valid JSON'
  }
  const submit = async () => {
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
  }
  return (
    <>
      <PageHeader title={s ? `Edit ${s.name}` : 'New schedule'} />
      <form
        class="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault()
          void submit()
        }}
      >
        <FormProblem error={error} shown={SHOWN} />
        <ScheduleFields form={form} setForm={setForm} errors={errors} workflows={props.workflows} />
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

function ScheduleFields(props: {
  form: FormState
  setForm: (f: FormState) => void
  errors: Record<string, string>
  workflows: Workflow[]
}) {
  const { form, errors } = props
  const set = (k: keyof FormState) => (e: { currentTarget: { value: string } }) =>
    props.setForm({ ...form, [k]: e.currentTarget.value })
  return (
    <>
      <Field label="Workflow" name="workflowId" errors={errors}>
        {(a) => (
          <WorkflowSelect
            attrs={a}
            workflows={props.workflows}
            value={form.workflowId}
            blank="— choose —"
            onChange={set('workflowId')}
          />
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
    </>
  )
}
