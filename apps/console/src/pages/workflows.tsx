import type { Workflow } from '@punctual/client'
import { useState } from 'preact/hooks'
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
  Status,
  Table,
} from '../ui/components.tsx'
import { fmtTime } from '../ui/format.ts'
import { useLoad } from '../ui/hooks.ts'
import { useWorkflows } from './schedules.tsx'

export function WorkflowsPage() {
  const list = useWorkflows()
  return (
    <>
      <PageHeader title="Workflows">
        {can('editor') && (
          <Link class="button" href="/workflows/new">
            New workflow
          </Link>
        )}
      </PageHeader>
      <ErrorMessage error={list.error} />
      {!list.data ? (
        <Loading what="workflows" />
      ) : (
        <Table caption="Workflows" empty={list.data.length === 0}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Steps</th>
              <th scope="col">Version</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((w) => (
              <tr key={w.id}>
                <td>
                  <Link href={`/workflows/${w.id}`}>{w.name}</Link>
                  {w.description && <div class="muted small">{w.description}</div>}
                </td>
                <td>{w.steps.map((s) => String(s['name'])).join(' → ')}</td>
                <td>{w.version}</td>
                <td>{fmtTime(w.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  )
}

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

class StepJsonError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message)
  }
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']

export function WorkflowEditPage({ params }: { params: Record<string, string> }) {
  const id = params['id']
  const wf = useLoad(
    async () => (id ? call(api.GET('/api/workflows/{id}', { params: { path: { id } } })) : null),
    [id],
  )
  if (id && !wf.data) return wf.error ? <ErrorMessage error={wf.error} /> : <Loading what="the workflow" />
  return (
    <>
      <WorkflowForm key={id ?? 'new'} existing={wf.data ?? null} />
      {wf.data && <UsedBy workflow={wf.data} />}
    </>
  )
}

function UsedBy({ workflow }: { workflow: Workflow }) {
  const used = useLoad(async () => {
    const query = { workflowId: workflow.id, limit: 100 }
    const [schedules, triggers] = await Promise.all([
      call(api.GET('/api/schedules', { params: { query } })),
      call(api.GET('/api/triggers', { params: { query } })),
    ])
    return { schedules: schedules.items, triggers: triggers.items }
  }, [workflow.id])
  return (
    <section aria-labelledby="used-by">
      <h2 id="used-by">Used by</h2>
      <ErrorMessage error={used.error} />
      {used.data && (
        <ul>
          {used.data.schedules.map((s) => (
            <li key={s.id}>
              Schedule <Link href={`/schedules/${s.id}`}>{s.name}</Link> <Status status={s.state} />
            </li>
          ))}
          {used.data.triggers.map((t) => (
            <li key={t.id}>
              {t.type} trigger <Link href={`/triggers/${t.id}`}>{t.name}</Link>
            </li>
          ))}
          {used.data.schedules.length + used.data.triggers.length === 0 && (
            <li class="muted">No schedule or trigger uses it.</li>
          )}
        </ul>
      )}
      {can('editor') && (
        <Link class="button" href={`/schedules/new?workflowId=${workflow.id}`}>
          Schedule it
        </Link>
      )}
    </section>
  )
}

function WorkflowForm({ existing }: { existing: Workflow | null }) {
  const [name, setName] = useState(existing?.name ?? '')
  const [description, setDescription] = useState(existing?.description ?? '')
  const [timeoutMs, setTimeoutMs] = useState(existing?.timeoutMs ? String(existing.timeoutMs) : '')
  const [maxConcurrency, setMaxConcurrency] = useState(
    existing?.maxConcurrency ? String(existing.maxConcurrency) : '',
  )
  const [retryFrom, setRetryFrom] = useState<string>(existing?.retryFrom ?? 'failed_step')
  const [steps, setSteps] = useState<StepForm[]>(
    existing
      ? existing.steps.map(toForm)
      : [toForm({ name: 'call', type: 'http', method: 'POST', url: 'https://' })],
  )
  const [jsonView, setJsonView] = useState(false)
  const [jsonText, setJsonText] = useState('')
  const [error, setError] = useState<unknown>()
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)
  const readOnly = !can('editor')
  const errors = { ...fieldErrors(error), ...localErrors }
  const stepsValue = (): Record<string, unknown>[] => {
    if (jsonView) {
      try {
        const parsed = JSON.parse(jsonText)
        if (!Array.isArray(parsed)) throw new StepJsonError('steps', 'must be a JSON array of steps')
        return parsed
      } catch (err) {
        throw err instanceof StepJsonError ? err : new StepJsonError('steps', 'is not valid JSON')
      }
    }
    return steps.map(fromForm)
  }
  const setStep = (i: number, k: keyof StepForm, v: string) =>
    setSteps(steps.map((s, j) => (j === i ? { ...s, [k]: v } : s)))
  const shown = ['name', 'description', 'timeoutMs', 'maxConcurrency', 'retryFrom', 'steps']
  steps.forEach((_, i) => {
    for (const k of ['name', 'type', 'method', 'url', 'headers', 'body', 'timeoutMs', 'ms'])
      shown.push(`steps.${i}.${k}`)
  })
  return (
    <>
      <PageHeader title={existing ? existing.name : 'New workflow'}>
        {existing && can('editor') && (
          <ActionButton
            label="Delete"
            class="danger"
            confirm={`Delete the workflow ${existing.name}?`}
            onRun={async () => {
              await call(api.DELETE('/api/workflows/{id}', { params: { path: { id: existing.id } } }))
              navigate('/workflows')
            }}
          />
        )}
      </PageHeader>
      <form
        class="form"
        noValidate
        onSubmit={async (e) => {
          e.preventDefault()
          setError(undefined)
          setLocalErrors({})
          let stepList: Record<string, unknown>[]
          try {
            stepList = stepsValue()
          } catch (err) {
            if (err instanceof StepJsonError) setLocalErrors({ [err.field]: err.message })
            return
          }
          const body = {
            name,
            description: description || undefined,
            steps: stepList as never,
            retryFrom: retryFrom as 'failed_step',
            ...(timeoutMs && { timeoutMs: Number(timeoutMs) }),
            ...(maxConcurrency && { maxConcurrency: Number(maxConcurrency) }),
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
        }}
      >
        <FormProblem error={error} shown={shown} />
        <fieldset disabled={readOnly}>
          <Field label="Name" name="name" errors={errors}>
            {(a) => <input {...a} value={name} onInput={(e) => setName(e.currentTarget.value)} />}
          </Field>
          <Field label="Description" name="description" errors={errors}>
            {(a) => (
              <input {...a} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
            )}
          </Field>
          <Field label="Timeout (ms)" name="timeoutMs" errors={errors}>
            {(a) => (
              <input
                {...a}
                inputMode="numeric"
                value={timeoutMs}
                onInput={(e) => setTimeoutMs(e.currentTarget.value)}
              />
            )}
          </Field>
          <Field label="Max concurrency" name="maxConcurrency" errors={errors}>
            {(a) => (
              <input
                {...a}
                inputMode="numeric"
                value={maxConcurrency}
                onInput={(e) => setMaxConcurrency(e.currentTarget.value)}
              />
            )}
          </Field>
          <Field label="A retry resumes at" name="retryFrom" errors={errors}>
            {(a) => (
              <select {...a} value={retryFrom} onChange={(e) => setRetryFrom(e.currentTarget.value)}>
                <option value="failed_step">the failed step</option>
                <option value="start">the start</option>
              </select>
            )}
          </Field>
        </fieldset>
        <fieldset class="steps" disabled={readOnly}>
          <legend>Steps</legend>
          <label class="inline">
            <input
              type="checkbox"
              checked={jsonView}
              onChange={(e) => {
                const on = e.currentTarget.checked
                try {
                  if (on) setJsonText(JSON.stringify(steps.map(fromForm), null, 2))
                  else setSteps(stepsValue().map(toForm))
                  setLocalErrors({})
                  setJsonView(on)
                } catch (err) {
                  if (err instanceof StepJsonError) setLocalErrors({ [err.field]: err.message })
                }
              }}
            />{' '}
            JSON view
          </label>
          {errors['steps'] && !jsonView && <p class="field-error">{errors['steps']}</p>}
          {jsonView ? (
            <Field label="Steps (JSON)" name="steps" errors={errors}>
              {(a) => (
                <textarea
                  {...a}
                  rows={14}
                  value={jsonText}
                  onInput={(e) => setJsonText(e.currentTarget.value)}
                  spellcheck={false}
                />
              )}
            </Field>
          ) : (
            steps.map((s, i) => (
              <fieldset key={i} class="step">
                <legend>Step {i + 1}</legend>
                <Field label="Name" name={`steps.${i}.name`} errors={errors}>
                  {(a) => (
                    <input {...a} value={s.name} onInput={(e) => setStep(i, 'name', e.currentTarget.value)} />
                  )}
                </Field>
                <Field label="Type" name={`steps.${i}.type`} errors={errors}>
                  {(a) => (
                    <select {...a} value={s.type} onChange={(e) => setStep(i, 'type', e.currentTarget.value)}>
                      <option value="http">http</option>
                      <option value="delay">delay</option>
                    </select>
                  )}
                </Field>
                {s.type === 'http' ? (
                  <>
                    <Field label="Method" name={`steps.${i}.method`} errors={errors}>
                      {(a) => (
                        <select
                          {...a}
                          value={s.method}
                          onChange={(e) => setStep(i, 'method', e.currentTarget.value)}
                        >
                          {METHODS.map((m) => (
                            <option key={m}>{m}</option>
                          ))}
                        </select>
                      )}
                    </Field>
                    <Field label="URL" name={`steps.${i}.url`} errors={errors}>
                      {(a) => (
                        <input
                          {...a}
                          value={s.url}
                          onInput={(e) => setStep(i, 'url', e.currentTarget.value)}
                        />
                      )}
                    </Field>
                    <Field label="Headers (JSON)" name={`steps.${i}.headers`} errors={errors}>
                      {(a) => (
                        <input
                          {...a}
                          value={s.headers}
                          onInput={(e) => setStep(i, 'headers', e.currentTarget.value)}
                        />
                      )}
                    </Field>
                    <Field label="Body (JSON)" name={`steps.${i}.body`} errors={errors}>
                      {(a) => (
                        <textarea
                          {...a}
                          rows={3}
                          value={s.body}
                          onInput={(e) => setStep(i, 'body', e.currentTarget.value)}
                        />
                      )}
                    </Field>
                    <Field label="Timeout (ms)" name={`steps.${i}.timeoutMs`} errors={errors}>
                      {(a) => (
                        <input
                          {...a}
                          value={s.timeoutMs}
                          onInput={(e) => setStep(i, 'timeoutMs', e.currentTarget.value)}
                        />
                      )}
                    </Field>
                  </>
                ) : (
                  <Field label="Wait (ms)" name={`steps.${i}.ms`} errors={errors}>
                    {(a) => (
                      <input {...a} value={s.ms} onInput={(e) => setStep(i, 'ms', e.currentTarget.value)} />
                    )}
                  </Field>
                )}
                {!readOnly && steps.length > 1 && (
                  <button
                    type="button"
                    class="link"
                    onClick={() => setSteps(steps.filter((_, j) => j !== i))}
                  >
                    Remove step {i + 1}
                  </button>
                )}
              </fieldset>
            ))
          )}
          {!readOnly && !jsonView && (
            <button
              type="button"
              onClick={() =>
                setSteps([...steps, toForm({ name: `step-${steps.length + 1}`, type: 'delay', ms: 1000 })])
              }
            >
              Add a step
            </button>
          )}
        </fieldset>
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
