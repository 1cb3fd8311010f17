import type { ComponentChildren } from 'preact'
import { api, call } from '../api.ts'
import { Link } from '../router.tsx'
import { Chart } from '../ui/chart.tsx'
import { ErrorMessage, Loading, PageHeader, Table } from '../ui/components.tsx'
import { fmtBytes, fmtMs } from '../ui/format.ts'
import { useLoad } from '../ui/hooks.ts'

export function OverviewPage() {
  const stats = useLoad(loadStats, [], 10_000)
  return (
    <>
      <PageHeader title="Overview" />
      <ErrorMessage error={stats.error} />
      {stats.data ? <StatsCards stats={stats.data} /> : <Loading what="figures" />}
      <Throughput />
      <WorkersLoad />
    </>
  )
}

type Stats = Awaited<ReturnType<typeof loadStats>>
const loadStats = () => call(api.GET('/api/schedules/stats'))

function Figures({ entries }: { entries: [string, ComponentChildren, ComponentChildren][] }) {
  return (
    <dl class="figures">
      {entries.map(([key, label, value]) => (
        <div key={key}>
          <dt>{label}</dt>
          <dd data-figure={key}>{value}</dd>
        </div>
      ))}
    </dl>
  )
}

function StatsCards({ stats: s }: { stats: Stats }) {
  return (
    <div class="cards">
      <section class="card" aria-labelledby="by-state">
        <h2 id="by-state">Schedules</h2>
        <Figures
          entries={Object.entries(s.schedules).map(([state, n]) => [
            `schedules-${state}`,
            <Link key={state} href={`/schedules?state=${state}`}>
              {state}
            </Link>,
            n,
          ])}
        />
      </section>
      <section class="card" aria-labelledby="lag">
        <h2 id="lag">Firing lag (last hour)</h2>
        {s.firingLagMs ? (
          <Figures
            entries={(['p50', 'p95', 'p99'] as const).map((p) => [`lag-${p}`, p, fmtMs(s.firingLagMs?.[p])])}
          />
        ) : (
          <p class="muted">No fire in the last hour.</p>
        )}
      </section>
      <section class="card" aria-labelledby="queue">
        <h2 id="queue">Queue</h2>
        <Figures
          entries={Object.entries(s.queue).map(([k, n]) => [
            `queue-${k}`,
            k === 'dead' ? (
              <Link key={k} href="/dead-letter">
                dead
              </Link>
            ) : (
              k
            ),
            n ?? '—',
          ])}
        />
      </section>
    </div>
  )
}

function Throughput() {
  const throughput = useLoad(
    () => call(api.GET('/api/executions/throughput', { params: { query: { minutes: 60 } } })),
    [],
    30_000,
  )
  const t = throughput.data
  return (
    <section aria-labelledby="per-minute">
      <h2 id="per-minute">Executions per minute, last hour</h2>
      <ErrorMessage error={throughput.error} />
      {t && (
        <>
          <Chart
            title="Executions ended per minute"
            x={t.minutes.map((m) => Date.parse(m.at) / 1000)}
            series={[
              { label: 'succeeded', color: '#1a7f37', values: t.minutes.map((m) => m.succeeded) },
              { label: 'dead', color: '#cf222e', values: t.minutes.map((m) => m.dead) },
              { label: 'cancelled', color: '#6e7781', values: t.minutes.map((m) => m.cancelled) },
            ]}
          />
          <p class="muted small" data-figure="throughput-total">
            {t.minutes.reduce((n, m) => n + m.succeeded + m.dead + m.cancelled, 0)} executions ended in the
            last hour.
          </p>
        </>
      )}
    </section>
  )
}

function WorkersLoad() {
  const workers = useLoad(async () => (await call(api.GET('/api/workers'))).items, [], 10_000)
  return (
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
  )
}
