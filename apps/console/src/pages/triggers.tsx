import type { Trigger } from '@punctual/client'
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
  Table,
  WorkflowSelect,
} from '../ui/components.tsx'
import { useLoad } from '../ui/hooks.ts'
import { ExecutionsTable } from './executions.tsx'
import { useWorkflows } from './schedules.tsx'

export function TriggersPage() {
  const list = useLoad(
    async () => (await call(api.GET('/api/triggers', { params: { query: { limit: 500 } } }))).items,
    [],
  )
  return (
    <>
      <PageHeader title="Triggers">
        {can('editor') && (
          <Link class="button" href="/triggers/new">
            New trigger
          </Link>
        )}
      </PageHeader>
      <ErrorMessage error={list.error} />
      {!list.data ? (
        <Loading what="triggers" />
      ) : (
        <Table caption="Triggers" empty={list.data.length === 0}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Event type</th>
              <th scope="col">Enabled</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((t) => (
              <tr key={t.id}>
                <td>
                  <Link href={`/triggers/${t.id}`}>{t.name}</Link>
                </td>
                <td>
                  {t.type}
                  {t.scheme && ` (${t.scheme})`}
                </td>
                <td>{t.eventType ?? '—'}</td>
                <td>{t.enabled ? 'yes' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  )
}

/** A secret shown once, right after it was made: the page never shows it again. */
function SecretOnce({ secret }: { secret: string }) {
  return (
    <div class="notice secret" role="status">
      <p>
        The webhook secret, shown <strong>only now</strong>: store it with the sender.
      </p>
      <code data-secret>{secret}</code>
    </div>
  )
}

export function TriggerPage({ params }: { params: Record<string, string> }) {
  const id = params['id'] as string
  const trigger = useLoad(() => call(api.GET('/api/triggers/{id}', { params: { path: { id } } })), [id])
  const recent = useLoad(
    () => call(api.GET('/api/executions', { params: { query: { triggerId: id, limit: 20 } } })),
    [id],
    5000,
  )
  const [secret, setSecret] = useState<string | undefined>(() => {
    const s = sessionStorage.getItem(`punctual.new-secret.${id}`) ?? undefined
    sessionStorage.removeItem(`punctual.new-secret.${id}`)
    return s
  })
  const t = trigger.data
  if (!t) return trigger.error ? <ErrorMessage error={trigger.error} /> : <Loading what="the trigger" />
  const url = t.url ? new URL(t.url, location.origin).href : null
  return (
    <>
      <PageHeader title={t.name}>
        {can('editor') && t.type === 'webhook' && (
          <ActionButton
            label="Rotate secret"
            confirm="Make a new secret? The old one keeps working for 24 h."
            onRun={async () => {
              const r = await call(api.POST('/api/triggers/{id}/rotate-secret', { params: { path: { id } } }))
              setSecret(r.secret)
            }}
          />
        )}
        {can('editor') && (
          <Link class="button" href={`/triggers/${id}/edit`}>
            Edit
          </Link>
        )}
      </PageHeader>
      {secret && <SecretOnce secret={secret} />}
      <dl class="facts">
        <dt>Type</dt>
        <dd>
          {t.type}
          {t.scheme && ` (${t.scheme} signatures)`}
        </dd>
        {url && (
          <>
            <dt>Webhook URL</dt>
            <dd>
              <code data-webhook-url>{url}</code>
            </dd>
          </>
        )}
        <dt>Event type</dt>
        <dd>{t.eventType ?? '—'}</dd>
        <dt>Workflow</dt>
        <dd>
          <Link href={`/workflows/${t.workflowId}`}>{t.workflowId}</Link>
        </dd>
        <dt>Enabled</dt>
        <dd>{t.enabled ? 'yes' : 'no'}</dd>
        {t.previousSecretExpiresAt && (
          <>
            <dt>Previous secret valid until</dt>
            <dd>{t.previousSecretExpiresAt}</dd>
          </>
        )}
      </dl>
      <h2>Recent executions</h2>
      <ErrorMessage error={recent.error} />
      <ExecutionsTable items={recent.data?.items ?? []} caption="Recent executions of this trigger" />
    </>
  )
}

export function TriggerEditPage({ params }: { params: Record<string, string> }) {
  const id = params['id']
  const existing = useLoad(
    async () => (id ? call(api.GET('/api/triggers/{id}', { params: { path: { id } } })) : null),
    [id],
  )
  const workflows = useWorkflows()
  if (id && !existing.data)
    return existing.error ? <ErrorMessage error={existing.error} /> : <Loading what="the trigger" />
  return <TriggerForm key={id ?? 'new'} existing={existing.data ?? null} workflows={workflows.data ?? []} />
}

type TriggerFormState = ReturnType<typeof initialTrigger>

function initialTrigger(t: Trigger | null) {
  return {
    workflowId: t?.workflowId ?? '',
    name: t?.name ?? '',
    type: t?.type ?? 'webhook',
    eventType: t?.eventType ?? '',
    scheme: t?.scheme ?? 'standard',
    enabled: t?.enabled ?? true,
  }
}

/** Saves the form: an update goes back to the trigger; a create keeps its secret for the next page to show once. */
async function saveTrigger(t: Trigger | null, form: TriggerFormState) {
  if (t) {
    const body = {
      name: form.name,
      enabled: form.enabled,
      ...(form.eventType && { eventType: form.eventType }),
    }
    await call(api.PATCH('/api/triggers/{id}', { params: { path: { id: t.id } }, body }))
    navigate(`/triggers/${t.id}`)
    return
  }
  const created = await call(
    api.POST('/api/triggers', {
      body: {
        workflowId: form.workflowId,
        name: form.name,
        type: form.type as 'webhook',
        ...(form.eventType && { eventType: form.eventType }),
        ...(form.type === 'webhook' && { scheme: form.scheme as 'standard' }),
      },
    }),
  )
  if (created.secret) sessionStorage.setItem(`punctual.new-secret.${created.id}`, created.secret)
  navigate(`/triggers/${created.id}`)
}

function TriggerForm(props: { existing: Trigger | null; workflows: { id: string; name: string }[] }) {
  const t = props.existing
  const [form, setForm] = useState(() => initialTrigger(t))
  const [error, setError] = useState<unknown>()
  return (
    <>
      <PageHeader title={t ? `Edit ${t.name}` : 'New trigger'} />
      <form
        class="form"
        noValidate
        onSubmit={async (e) => {
          e.preventDefault()
          setError(undefined)
          try {
            await saveTrigger(t, form)
          } catch (err) {
            setError(err)
          }
        }}
      >
        <FormProblem error={error} shown={['workflowId', 'name', 'type', 'eventType', 'scheme']} />
        <TriggerFields
          form={form}
          setForm={setForm}
          errors={fieldErrors(error)}
          workflows={props.workflows}
          editing={t !== null}
        />
        <div class="actions">
          <button type="submit">{t ? 'Save' : 'Create'}</button>
        </div>
      </form>
    </>
  )
}

function TriggerFields(props: {
  form: TriggerFormState
  setForm: (f: TriggerFormState) => void
  errors: Record<string, string>
  workflows: { id: string; name: string }[]
  editing: boolean
}) {
  const { form, errors, editing } = props
  const set = (k: keyof TriggerFormState) => (e: { currentTarget: { value: string } }) =>
    props.setForm({ ...form, [k]: e.currentTarget.value })
  return (
    <>
      {!editing && (
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
      )}
      <Field label="Name" name="name" errors={errors}>
        {(a) => <input {...a} value={form.name} onInput={set('name')} />}
      </Field>
      {!editing && (
        <Field label="Type" name="type" errors={errors}>
          {(a) => (
            <select {...a} value={form.type} onChange={set('type')}>
              <option value="webhook">webhook</option>
              <option value="event">event</option>
            </select>
          )}
        </Field>
      )}
      <Field
        label="Event type"
        name="eventType"
        errors={errors}
        hint="Exact, or a prefix glob such as order.*"
      >
        {(a) => <input {...a} value={form.eventType} onInput={set('eventType')} />}
      </Field>
      {!editing && form.type === 'webhook' && (
        <Field label="Signature scheme" name="scheme" errors={errors}>
          {(a) => (
            <select {...a} value={form.scheme} onChange={set('scheme')}>
              <option value="standard">Standard Webhooks</option>
              <option value="github">GitHub</option>
            </select>
          )}
        </Field>
      )}
      {editing && (
        <label class="inline">
          <input
            type="checkbox"
            checked={form.enabled}
            onChange={(e) => props.setForm({ ...form, enabled: e.currentTarget.checked })}
          />{' '}
          Enabled
        </label>
      )}
    </>
  )
}
