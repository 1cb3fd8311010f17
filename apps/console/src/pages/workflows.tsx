import type { Workflow } from '@punctual/client'
import { api, call } from '../api.ts'
import { Link } from '../router.tsx'
import { can } from '../session.ts'
import { ErrorMessage, Loading, PageHeader, Status, Table } from '../ui/components.tsx'
import { fmtTime } from '../ui/format.ts'
import { useLoad } from '../ui/hooks.ts'
import { useWorkflows } from './schedules.tsx'
import { WorkflowForm } from './workflow-form.tsx'

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
