import { api, call } from '../api.ts'
import { ErrorMessage, Loading, PageHeader, Table } from '../ui/components.tsx'
import { fmtBytes, fmtMs, fmtTime } from '../ui/format.ts'
import { useLoad } from '../ui/hooks.ts'

export function WorkersPage() {
  const workers = useLoad(async () => (await call(api.GET('/api/workers'))).items, [], 5000)
  return (
    <>
      <PageHeader title="Workers" />
      <ErrorMessage error={workers.error} />
      {!workers.data ? (
        <Loading what="workers" />
      ) : (
        <Table caption="Live workers" empty={workers.data.length === 0}>
          <thead>
            <tr>
              <th scope="col">Worker</th>
              <th scope="col">Host / pid</th>
              <th scope="col">State</th>
              <th scope="col">Running</th>
              <th scope="col">CPU</th>
              <th scope="col">Memory</th>
              <th scope="col">Event-loop lag</th>
              <th scope="col">Started</th>
              <th scope="col">Last seen</th>
            </tr>
          </thead>
          <tbody>
            {workers.data.map((w) => (
              <tr key={w.id}>
                <td>{w.id}</td>
                <td>
                  {w.host} / {w.pid}
                </td>
                <td>{w.state}</td>
                <td>
                  {w.running}/{w.concurrency}
                </td>
                <td>{w.cpuPercent.toFixed(0)} %</td>
                <td>{fmtBytes(w.rssBytes)}</td>
                <td>{fmtMs(w.eventLoopLagMs)}</td>
                <td>{fmtTime(w.startedAt)}</td>
                <td>{fmtTime(w.lastSeenAt)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  )
}
