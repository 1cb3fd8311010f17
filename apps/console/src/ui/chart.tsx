import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'

export interface Series {
  label: string
  /** A class of styles.css's palette: the stroke colour is read from the CSS custom property --series-<n>. */
  color: string
  values: (number | null)[]
}

/**
 * A uPlot chart (canvas; no inline styles or scripts, so it runs under the console's CSP). `bars` draws bars
 * instead of lines. The same figures follow as a table that only screen readers see (the canvas is hidden
 * from them).
 */
export function Chart(props: {
  title: string
  x: number[]
  series: Series[]
  bars?: boolean
  height?: number
}) {
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const el = ref.current
    if (!el) return
    const width = Math.max(280, el.clientWidth)
    const opts: uPlot.Options = {
      title: props.title,
      width,
      height: props.height ?? 220,
      series: [
        {},
        ...props.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          fill: props.bars ? s.color : undefined,
          width: 2,
          ...(props.bars && { paths: uPlot.paths.bars?.({ size: [0.6, 40] }), points: { show: false } }),
        })),
      ],
      axes: [{}, { size: 40 }],
      scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
    }
    const plot = new uPlot(opts, [props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData, el)
    const resize = () => plot.setSize({ width: Math.max(280, el.clientWidth), height: props.height ?? 220 })
    window.addEventListener('resize', resize)
    return () => {
      window.removeEventListener('resize', resize)
      plot.destroy()
    }
  }, [props.title, JSON.stringify(props.x), JSON.stringify(props.series), props.bars])
  return (
    <figure class="chart-figure">
      <div class="chart" ref={ref} aria-hidden="true" />
      <div class="visually-hidden">
        <table>
          <caption>{props.title}</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              {props.series.map((s) => (
                <th key={s.label} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.x.map((t, i) => (
              <tr key={t}>
                <th scope="row">{new Date(t * 1000).toISOString()}</th>
                {props.series.map((s) => (
                  <td key={s.label}>{s.values[i] ?? ''}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  )
}
