import { api, call } from '../api.ts'
import { can } from '../session.ts'
import { ErrorMessage, Loading, PageHeader, Pager, Table, useCursor } from '../ui/components.tsx'
import { fmtTime, shortId } from '../ui/format.ts'
import { useLoad } from '../ui/hooks.ts'

export function AuditPage() {
  const pages = useCursor()
  const list = useLoad(
    () =>
      call(
        api.GET('/api/audit', {
          params: { query: { limit: 50, ...(pages.cursor && { cursor: pages.cursor }) } },
        }),
      ),
    [pages.cursor],
  )
  if (!can('admin'))
    return (
      <>
        <PageHeader title="Audit log" />
        <p>The audit log is for admins.</p>
      </>
    )
  return (
    <>
      <PageHeader title="Audit log" />
      <ErrorMessage error={list.error} />
      {!list.data ? (
        <Loading what="the audit log" />
      ) : (
        <Table caption="Audit log" empty={list.data.items.length === 0}>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((a) => (
              <tr key={a.id}>
                <td>{fmtTime(a.at)}</td>
                <td>{a.actor}</td>
                <td>{a.action}</td>
                <td>
                  {a.targetType} {shortId(a.targetId)}
                </td>
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
