import type { Schedule } from '@punctual/client'
import { useEffect, useState } from 'preact/hooks'
import { api, call } from '../api.ts'
import { Link } from '../router.tsx'
import { can } from '../session.ts'
import { ErrorMessage, Loading, PageHeader, Pager, Status, Table, useCursor } from '../ui/components.tsx'
import { fmtTime } from '../ui/format.ts'
import { useLoad } from '../ui/hooks.ts'

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
  const pages = useCursor()
  const [search, setSearch] = useState(query.get('search') ?? '')
  const searched = useSettled(search.trim(), pages.reset)
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
        <SelectFilter
          label="State"
          value={state}
          options={STATES.map((v) => [v, v])}
          onChange={(v) => {
            setState(v)
            pages.reset()
          }}
        />
        <SelectFilter
          label="Workflow"
          value={workflowId}
          options={(workflows.data ?? []).map((w) => [w.id, w.name])}
          onChange={(v) => {
            setWorkflowId(v)
            pages.reset()
          }}
        />
      </form>
      <ErrorMessage error={list.error} />
      {!list.data && list.loading ? (
        <Loading what="schedules" />
      ) : (
        <SchedulesTable items={items} workflowNames={names} />
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

function SchedulesTable({ items, workflowNames }: { items: Schedule[]; workflowNames: Map<string, string> }) {
  return (
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
            <td>{workflowNames.get(s.workflowId) ?? s.workflowId.slice(-8)}</td>
          </tr>
        ))}
      </tbody>
    </Table>
  )
}

/** A labelled select whose first option, "any", means no filter. */
export function SelectFilter(props: {
  label: string
  value: string
  options: [string, string][]
  onChange: (value: string) => void
}) {
  return (
    <label>
      {props.label}{' '}
      <select value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        <option value="">any</option>
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  )
}

/** `value` once it has not changed for 300 ms (typing paused); `onSettle` runs when it moves. */
function useSettled(value: string, onSettle: () => void): string {
  const [settled, setSettled] = useState(value)
  useEffect(() => {
    const timer = setTimeout(() => {
      if (value !== settled) {
        setSettled(value)
        onSettle()
      }
    }, 300)
    return () => clearTimeout(timer)
  }, [value, settled, onSettle])
  return settled
}
