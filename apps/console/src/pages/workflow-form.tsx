import type { Workflow } from '@punctual/client'
import { useState } from 'preact/hooks'
import { api, call, fieldErrors } from '../api.ts'
import { navigate } from '../router.tsx'
import { can } from '../session.ts'
import { ActionButton, Field, FormProblem, PageHeader } from '../ui/components.tsx'

/** One step as the form edits it: every value a string, as the inputs hold them. */
interface StepForm {
  name: string
  type: 'http' | 'delay'
  method: string
  url: string
  headers: string
  body: string
  timeoutMs: string
  ms: string
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']
const STEP_FIELDS = ['name', 'type', 'method', 'url', 'headers', 'body', 'timeoutMs', 'ms']

/** A JSON text that does not parse, named by the field the API would name. */
class StepJsonError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message)
  }
}

function toForm(step: Record<string, unknown>): StepForm {
  return {
    name: String(step['name'] ?? ''),
    type: step['type'] === 'delay' ? 'delay' : 'http',
    method: String(step['method'] ?? 'POST'),
    url: String(step['url'] ?? ''),
    headers: step['headers'] ? JSON.stringify(step['headers']) : '',
    body: step['body'] === undefined ? '' : JSON.stringify(step['body']),
    timeoutMs: step['timeoutMs'] === undefined ? '' : String(step['timeoutMs']),
    ms: step['ms'] === undefined ? '1000' : String(step['ms']),
  }
}

/** A step as the API takes it; a JSON field that does not parse throws naming it. */
function fromForm(f: StepForm, i: number): Record<string, unknown> {
  if (f.type === 'delay') return { name: f.name, type: 'delay', ms: Number(f.ms) }
  const step: Record<string, unknown> = { name: f.name, type: 'http', method: f.method, url: f.url }
  const json = (text: string, field: string) => {
    try {
      return JSON.parse(text)
    } catch {
      throw new StepJsonError(`steps.${i}.${field}`, 'is not valid JSON')
    }
  }
  if (f.headers.trim()) step['headers'] = json(f.headers, 'headers')
  if (f.body.trim()) step['body'] = json(f.body, 'body')
  if (f.timeoutMs.trim()) step['timeoutMs'] = Number(f.timeoutMs)
  return step
}

function parseStepsJson(text: string): Record<string, unknown>[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new StepJsonError('steps', 'is not valid JSON')
  }
  if (!Array.isArray(parsed)) throw new StepJsonError('steps', 'must be a JSON array of steps')
  return parsed
}

type Fields = ReturnType<typeof initialFields>

function initialFields(w: Workflow | null) {
  return {
    name: w?.name ?? '',
    description: w?.description ?? '',
    timeoutMs: w?.timeoutMs ? String(w.timeoutMs) : '',
    maxConcurrency: w?.maxConcurrency ? String(w.maxConcurrency) : '',
    retryFrom: w?.retryFrom ?? 'failed_step',
  }
}

/** The steps as a list of forms, or as one JSON text (the JSON view); switching converts between the two. */
function useSteps(existing: Workflow | null) {
  const [steps, setSteps] = useState<StepForm[]>(
    existing
      ? existing.steps.map(toForm)
      : [toForm({ name: 'call', type: 'http', method: 'POST', url: 'https://' })],
  )
  const [jsonView, setJsonView] = useState(false)
  const [jsonText, setJsonText] = useState('')
  return {
    steps,
    setSteps,
    jsonView,
    jsonText,
    setJsonText,
    /** The steps to send; throws StepJsonError naming the field whose JSON does not parse. */
    value: (): Record<string, unknown>[] => (jsonView ? parseStepsJson(jsonText) : steps.map(fromForm)),
    toggle(on: boolean) {
      if (on) setJsonText(JSON.stringify(steps.map(fromForm), null, 2))
      else setSteps(parseStepsJson(jsonText).map(toForm))
      setJsonView(on)
    },
  }
}

export function WorkflowForm({ existing }: { existing: Workflow | null }) {
  const [fields, setFields] = useState(() => initialFields(existing))
  const steps = useSteps(existing)
  const [error, setError] = useState<unknown>()
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)
  const readOnly = !can('editor')
  const errors = { ...fieldErrors(error), ...localErrors }
  const shown = ['name', 'description', 'timeoutMs', 'maxConcurrency', 'retryFrom', 'steps']
  steps.steps.forEach((_, i) => {
    for (const k of STEP_FIELDS) shown.push(`steps.${i}.${k}`)
  })
  const guard = (work: () => void) => {
    try {
      work()
      setLocalErrors({})
      return true
    } catch (err) {
      if (!(err instanceof StepJsonError)) throw err
      setLocalErrors({ [err.field]: err.message })
      return false
    }
  }
  const submit = async () => {
    setError(undefined)
    let stepList: Record<string, unknown>[] = []
    if (!guard(() => (stepList = steps.value()))) return
    const body = {
      name: fields.name,
      description: fields.description || undefined,
      steps: stepList as never,
      retryFrom: fields.retryFrom as 'failed_step',
      ...(fields.timeoutMs && { timeoutMs: Number(fields.timeoutMs) }),
      ...(fields.maxConcurrency && { maxConcurrency: Number(fields.maxConcurrency) }),
    }
    setBusy(true)
    try {
      const saved = existing
        ? await call(api.PUT('/api/workflows/{id}', { params: { path: { id: existing.id } }, body }))
        : await call(api.POST('/api/workflows', { body }))
      navigate(`/workflows/${saved.id}`)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <PageHeader title={existing ? existing.name : 'New workflow'}>
        {existing && can('editor') && <DeleteWorkflow workflow={existing} />}
      </PageHeader>
      <form
        class="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault()
          void submit()
        }}
      >
        <FormProblem error={error} shown={shown} />
        <WorkflowFields fields={fields} setFields={setFields} errors={errors} readOnly={readOnly} />
        <StepsEditor
          steps={steps}
          errors={errors}
          readOnly={readOnly}
          onToggle={(on) => guard(() => steps.toggle(on))}
        />
        {!readOnly && (
          <div class="actions">
            <button type="submit" disabled={busy}>
              {existing ? 'Save' : 'Create'}
            </button>
          </div>
        )}
      </form>
    </>
  )
}

function DeleteWorkflow({ workflow }: { workflow: Workflow }) {
  return (
    <ActionButton
      label="Delete"
      class="danger"
      confirm={`Delete the workflow ${workflow.name}?`}
      onRun={async () => {
        await call(api.DELETE('/api/workflows/{id}', { params: { path: { id: workflow.id } } }))
        navigate('/workflows')
      }}
    />
  )
}

function WorkflowFields(props: {
  fields: Fields
  setFields: (f: Fields) => void
  errors: Record<string, string>
  readOnly: boolean
}) {
  const { fields, errors } = props
  const set = (k: keyof Fields) => (e: { currentTarget: { value: string } }) =>
    props.setFields({ ...fields, [k]: e.currentTarget.value })
  return (
    <fieldset disabled={props.readOnly}>
      <Field label="Name" name="name" errors={errors}>
        {(a) => <input {...a} value={fields.name} onInput={set('name')} />}
      </Field>
      <Field label="Description" name="description" errors={errors}>
        {(a) => <input {...a} value={fields.description} onInput={set('description')} />}
      </Field>
      <Field label="Timeout (ms)" name="timeoutMs" errors={errors}>
        {(a) => <input {...a} inputMode="numeric" value={fields.timeoutMs} onInput={set('timeoutMs')} />}
      </Field>
      <Field label="Max concurrency" name="maxConcurrency" errors={errors}>
        {(a) => (
          <input {...a} inputMode="numeric" value={fields.maxConcurrency} onInput={set('maxConcurrency')} />
        )}
      </Field>
      <Field label="A retry resumes at" name="retryFrom" errors={errors}>
        {(a) => (
          <select {...a} value={fields.retryFrom} onChange={set('retryFrom')}>
            <option value="failed_step">the failed step</option>
            <option value="start">the start</option>
          </select>
        )}
      </Field>
    </fieldset>
  )
}

function StepsEditor(props: {
  steps: ReturnType<typeof useSteps>
  errors: Record<string, string>
  readOnly: boolean
  onToggle: (on: boolean) => void
}) {
  const { steps, errors, readOnly } = props
  const list = steps.steps
  const setStep = (i: number, k: keyof StepForm, v: string) =>
    steps.setSteps(list.map((s, j) => (j === i ? { ...s, [k]: v } : s)))
  return (
    <fieldset class="steps" disabled={readOnly}>
      <legend>Steps</legend>
      <label class="inline">
        <input
          type="checkbox"
          checked={steps.jsonView}
          onChange={(e) => props.onToggle(e.currentTarget.checked)}
        />{' '}
        JSON view
      </label>
      {errors['steps'] && !steps.jsonView && <p class="field-error">{errors['steps']}</p>}
      {steps.jsonView ? (
        <Field label="Steps (JSON)" name="steps" errors={errors}>
          {(a) => (
            <textarea
              {...a}
              rows={14}
              value={steps.jsonText}
              onInput={(e) => steps.setJsonText(e.currentTarget.value)}
              spellcheck={false}
            />
          )}
        </Field>
      ) : (
        list.map((s, i) => (
          <StepFields
            // Steps are edited in place, by position.
            key={i}
            index={i}
            step={s}
            errors={errors}
            onChange={(k, v) => setStep(i, k, v)}
            {...(!readOnly &&
              list.length > 1 && { onRemove: () => steps.setSteps(list.filter((_, j) => j !== i)) })}
          />
        ))
      )}
      {!readOnly && !steps.jsonView && (
        <button
          type="button"
          onClick={() =>
            steps.setSteps([...list, toForm({ name: `step-${list.length + 1}`, type: 'delay', ms: 1000 })])
          }
        >
          Add a step
        </button>
      )}
    </fieldset>
  )
}

function StepFields(props: {
  index: number
  step: StepForm
  errors: Record<string, string>
  onChange: (field: keyof StepForm, value: string) => void
  onRemove?: () => void
}) {
  const { index: i, step: s, errors } = props
  const set = (k: keyof StepForm) => (e: { currentTarget: { value: string } }) =>
    props.onChange(k, e.currentTarget.value)
  const name = (k: string) => `steps.${i}.${k}`
  return (
    <fieldset class="step">
      <legend>Step {i + 1}</legend>
      <Field label="Name" name={name('name')} errors={errors}>
        {(a) => <input {...a} value={s.name} onInput={set('name')} />}
      </Field>
      <Field label="Type" name={name('type')} errors={errors}>
        {(a) => (
          <select {...a} value={s.type} onChange={set('type')}>
            <option value="http">http</option>
            <option value="delay">delay</option>
          </select>
        )}
      </Field>
      {s.type === 'http' ? (
        <>
          <Field label="Method" name={name('method')} errors={errors}>
            {(a) => (
              <select {...a} value={s.method} onChange={set('method')}>
                {METHODS.map((m) => (
                  <option key={m}>{m}</option>
                ))}
              </select>
            )}
          </Field>
          <Field label="URL" name={name('url')} errors={errors}>
            {(a) => <input {...a} value={s.url} onInput={set('url')} />}
          </Field>
          <Field label="Headers (JSON)" name={name('headers')} errors={errors}>
            {(a) => <input {...a} value={s.headers} onInput={set('headers')} />}
          </Field>
          <Field label="Body (JSON)" name={name('body')} errors={errors}>
            {(a) => <textarea {...a} rows={3} value={s.body} onInput={set('body')} />}
          </Field>
          <Field label="Timeout (ms)" name={name('timeoutMs')} errors={errors}>
            {(a) => <input {...a} value={s.timeoutMs} onInput={set('timeoutMs')} />}
          </Field>
        </>
      ) : (
        <Field label="Wait (ms)" name={name('ms')} errors={errors}>
          {(a) => <input {...a} value={s.ms} onInput={set('ms')} />}
        </Field>
      )}
      {props.onRemove && (
        <button type="button" class="link" onClick={props.onRemove}>
          Remove step {i + 1}
        </button>
      )}
    </fieldset>
  )
}
