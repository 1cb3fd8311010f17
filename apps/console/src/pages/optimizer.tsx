import type { OptimizerReport } from '@punctual/client'
import { useState } from 'preact/hooks'
import { api, call } from '../api.ts'
import { Link } from '../router.tsx'
import { can } from '../session.ts'
import { Chart } from '../ui/chart.tsx'
import { ActionButton, ErrorMessage, Loading, PageHeader, Table } from '../ui/components.tsx'
import { fmtTime, shortId } from '../ui/format.ts'
import { useLoad } from '../ui/hooks.ts'

export function OptimizerPage() {
  const report = useLoad(
    () => call(api.GET('/api/schedules/optimizer', { params: { query: { hours: 24 } } })),
    [],
  )
  const [applied, setApplied] = useState<string>()
  const r = report.data
  if (!r)
    return report.error ? <ErrorMessage error={report.error} /> : <Loading what="the optimizer's report" />
  const hotspots = [...r.hotspots].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
  return (
    <>
      <PageHeader title="Optimizer">
        {can('editor') && r.suggestions.length > 0 && (
          <ActionButton
            label={`Apply ${r.suggestions.length} suggestion${r.suggestions.length === 1 ? '' : 's'}`}
            onRun={async () => {
              const res = await call(
                api.POST('/api/schedules/optimizer/apply', {
                  body: {
                    suggestions: r.suggestions.map((s) => ({
                      scheduleId: s.scheduleId,
                      version: s.version,
                      suggested: s.suggested,
                    })),
                  },
                }),
              )
              setApplied(
                `Applied ${res.applied.length}; ${res.conflicts.length} changed since. Peak ${res.peakBefore.fires} → ${res.peakAfter.fires} fires in one second.`,
              )
              report.reload()
            }}
          />
        )}
      </PageHeader>
      {applied && (
        <p class="notice" role="status">
          {applied}
        </p>
      )}
      <p>
        Busiest second of the next 24 h: <strong>{r.peak.fires}</strong> fires
        {r.peak.at && ` at ${fmtTime(r.peak.at)}`}; after the suggestions:{' '}
        <strong>{r.peakAfterSuggestions.fires}</strong>.
      </p>
      {hotspots.length > 0 ? (
        <Chart
          title="The busiest seconds of the next 24 h (fires)"
          bars
          x={hotspots.map((h) => Date.parse(h.at) / 1000)}
          series={[{ label: 'fires', color: '#0969da', values: hotspots.map((h) => h.fires) }]}
        />
      ) : (
        <p class="muted">No fire in the next 24 h.</p>
      )}
      <h2>Suggestions ({r.suggestionsTotal})</h2>
      <SuggestionsTable suggestions={r.suggestions} />
    </>
  )
}

type Suggestion = OptimizerReport['suggestions'][number]

function SuggestionsTable({ suggestions }: { suggestions: Suggestion[] }) {
  return (
    <Table caption="Suggestions" empty={suggestions.length === 0}>
      <thead>
        <tr>
          <th scope="col">Schedule</th>
          <th scope="col">Now</th>
          <th scope="col">Suggested</th>
          <th scope="col">Why</th>
        </tr>
      </thead>
      <tbody>
        {suggestions.map((s) => (
          <tr key={s.scheduleId}>
            <td>
              <Link href={`/schedules/${s.scheduleId}`}>{shortId(s.scheduleId)}</Link>
            </td>
            <td>
              <code>{s.current.cronExpression}</code> jitter {s.current.jitterMs} ms
            </td>
            <td>
              {s.suggested.cronExpression && <code>{s.suggested.cronExpression}</code>}
              {s.suggested.jitterMs !== undefined && ` jitter ${s.suggested.jitterMs} ms`}
            </td>
            <td>{s.reason}</td>
          </tr>
        ))}
      </tbody>
    </Table>
  )
}
