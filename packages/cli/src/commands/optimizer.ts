import type { Command } from 'commander'
import { type Context, call, parseInteger } from '../context.ts'
import { printItem, table } from '../output.ts'

/** `punctual optimizer show|apply`: the fleet's hotspots and the suggestions that spread them. */
export function optimizerCommand(program: Command, ctx: Context) {
  const cmd = program
    .command('optimizer')
    .description('fleet hotspots and suggestions that keep each fire in its minute')
  cmd
    .command('show')
    .description('the busiest seconds, the suggestions and the execution patterns')
    .option('--hours <n>', 'how far ahead to look (1-168)', '24')
    .action(async (o: { hours: string }) => {
      const query = { hours: parseInteger('--hours', o.hours)! }
      const report = await call(ctx, (api) => api.GET('/api/schedules/optimizer', { params: { query } }))
      if (ctx.out.json) return printItem(ctx.out, report)
      ctx.out.write(`peak: ${report.peak.fires} fires at ${report.peak.at ?? '-'}`)
      ctx.out.write(`after the ${report.suggestionsTotal} suggestions: ${report.peakAfterSuggestions.fires}`)
      if (report.hotspots.length > 0) ctx.out.write(table(report.hotspots, ['at', 'fires']))
      const rows = report.suggestions.map((s) => ({
        scheduleId: s.scheduleId,
        current: s.current.cronExpression,
        suggested: s.suggested.cronExpression ?? `jitterMs ${s.suggested.jitterMs}`,
      }))
      if (rows.length > 0) ctx.out.write(table(rows, ['scheduleId', 'current', 'suggested']))
    })
  cmd
    .command('apply')
    .description('apply the current suggestions (at most 1,000) as audited schedule updates')
    .option('--hours <n>', 'the window the suggestions are computed over (1-168)', '24')
    .option('--dry-run', 'compute the peak after without writing')
    .action(async (o: { hours: string; dryRun?: boolean }) => {
      const query = { hours: parseInteger('--hours', o.hours)! }
      const report = await call(ctx, (api) => api.GET('/api/schedules/optimizer', { params: { query } }))
      const suggestions = report.suggestions.map(({ scheduleId, version, suggested }) => ({
        scheduleId,
        version,
        suggested,
      }))
      const body = { suggestions, ...(o.dryRun && { dryRun: true }) }
      const result = await call(ctx, (api) => api.POST('/api/schedules/optimizer/apply', { body }))
      if (ctx.out.json) return printItem(ctx.out, result)
      ctx.out.write(
        `applied ${result.applied.length}, conflicts ${result.conflicts.length}; peak ${result.peakBefore.fires} → ${result.peakAfter.fires}`,
      )
    })
}
