import { api, call } from '../api.ts'
import { Link } from '../router.tsx'
import { Chart } from '../ui/chart.tsx'
import { ErrorMessage, Loading, PageHeader, Table } from '../ui/components.tsx'
import { fmtBytes, fmtMs } from '../ui/format.ts'
import { useLoad } from '../ui/hooks.ts'

export function OverviewPage() {
  const stats = useLoad(() => call(api.GET('/api/schedules/stats')), [], 10_000)
  const throughput = useLoad(
    () => call(api.GET('/api/executions/throughput', { params: { query: { minutes: 60 } } })),
    [],
    30_000,
  )
  const workers = useLoad(async () => (await call(api.GET('/api/workers'))).items, [], 10_000)
  const s = stats.data
  const t = throughput.data
  return (
    <>
      <PageHeader title="Overview" />
      <ErrorMessage error={stats.error} />
      {!s ? (
        <Loading what="figures" />
      ) : (
        <div class="cards">
          <section class="card" aria-labelledby="by-state">
            <h2 id="by-state">Schedules</h2>
            <dl class="figures">
              {Object.entries(s.schedules).map(([state, n]) => (
                <div key={state}>
                  <dt>
                    <Link href={`/schedules?state=${state}`}>{state}</Link>
                  </dt>
                  <dd data-figure={`schedules-${state}`}>{n}</dd>
                </div>
              ))}
            </dl>
          </section>
          <section class="card" aria-labelledby="lag">
            <h2 id="lag">Firing lag (last hour)</h2>
            {s.firingLagMs ? (
              <dl class="figures">
                <div>
                  <dt>p50</dt>
                  <dd>{fmtMs(s.firingLagMs.p50)}</dd>
                </div>
                <div>
                  <dt>p95</dt>
                  <dd>{fmtMs(s.firingLagMs.p95)}</dd>
                </div>
                <div>
                  <dt>p99</dt>
                  <dd>{fmtMs(s.firingLagMs.p99)}</dd>
                </div>
              </dl>
            ) : (
              <p class="muted">No fire in the last hour.</p>
            )}
          </section>
          <section class="card" aria-labelledby="queue">
            <h2 id="queue">Queue</h2>
            <dl class="figures">
              {Object.entries(s.queue).map(([k, n]) => (
                <div key={k}>
                  <dt>{k === 'dead' ? <Link href="/dead-letter">dead</Link> : k}</dt>
                  <dd>{n ?? '—'}</dd>
                </div>
              ))}
            </dl>
          </section>
        </div>
      )}
      <section aria-labelledby="per-minute">
        <h2 id="per-minute">Executions per minute, last hour</h2>
        <ErrorMessage error={throughput.error} />
        {t && (
          <Chart
            title="Executions ended per minute"
            x={t.minutes.map((m) => Date.parse(m.at) / 1000)}
            series={[
              { label: 'succeeded', color: '#1a7f37', values: t.minutes.map((m) => m.succeeded) },
              { label: 'dead', color: '#cf222e', values: t.minutes.map((m) => m.dead) },
              { label: 'cancelled', color: '#6e7781', values: t.minutes.map((m) => m.cancelled) },
            ]}
          />
        )}
        {t && (
          <p class="muted small" data-figure="throughput-total">
            {t.minutes.reduce((n, m) => n + m.succeeded + m.dead + m.cancelled, 0)} executions ended in the
            last hour.
          </p>
        )}
      </section>
      <section aria-labelledby="workers">
        <h2 id="workers">Workers</h2>
        <ErrorMessage error={workers.error} />
        {workers.data && (
          <Table caption="Workers and their load" empty={workers.data.length === 0}>
            <thead>
              <tr>
                <th scope="col">Worker</th>
                <th scope="col">State</th>
                <th scope="col">Load</th>
                <th scope="col">CPU</th>
                <th scope="col">Memory</th>
              </tr>
            </thead>
            <tbody>
              {workers.data.map((w) => (
                <tr key={w.id}>
                  <td>{w.id}</td>
                  <td>{w.state}</td>
                  <td>
                    <meter
                      min={0}
                      max={Math.max(1, w.concurrency)}
                      value={w.running}
                      aria-label={`${w.id} load`}
                    />{' '}
                    {w.running}/{w.concurrency}
                  </td>
                  <td>{w.cpuPercent.toFixed(0)} %</td>
                  <td>{fmtBytes(w.rssBytes)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </section>
    </>
  )
}
