import type { Command } from 'commander'
import { type Context, call, parseInteger, parseJson } from '../context.ts'
import { printItem, printList } from '../output.ts'

const COLUMNS = ['id', 'name', 'cronExpression', 'timezone', 'state', 'nextRunAt']

interface TimingOptions {
  name?: string
  cron?: string
  tz?: string
  input?: string
  priority?: string
  jitterMs?: string
  enabled?: boolean
}

function timing(o: TimingOptions) {
  return {
    ...(o.name !== undefined && { name: o.name }),
    ...(o.cron !== undefined && { cronExpression: o.cron }),
    ...(o.tz !== undefined && { timezone: o.tz }),
    ...(o.input !== undefined && { input: parseJson('--input', o.input) as Record<string, unknown> }),
    ...(o.priority !== undefined && { priority: parseInteger('--priority', o.priority) }),
    ...(o.jitterMs !== undefined && { jitterMs: parseInteger('--jitter-ms', o.jitterMs) }),
    ...(o.enabled !== undefined && { enabled: o.enabled }),
  }
}

const withTiming = (c: Command) =>
  c
    .option('--name <name>', 'schedule name')
    .option('--cron <expression>', 'cron expression (5 or 6 fields)')
    .option('--tz <zone>', 'IANA time zone, e.g. Europe/Paris')
    .option('--input <json>', 'the workflow input, a JSON object')
    .option('--priority <0-9>', 'priority of its executions')
    .option('--jitter-ms <ms>', 'random delay added to each fire')

/** `punctual schedules ls|get|create|update|pause|resume|trigger|rm`. */
export function schedulesCommand(program: Command, ctx: Context) {
  const cmd = program.command('schedules').description('cron schedules')
  cmd
    .command('ls')
    .description('list schedules')
    .option('--workflow <id>', 'only this workflow')
    .option('--state <state>', 'active | paused | completed | expired')
    .option('--limit <n>', 'page size (1-500)')
    .option('--cursor <cursor>', 'the next page')
    .action(async (o: { workflow?: string; state?: string; limit?: string; cursor?: string }) => {
      const query = {
        ...(o.workflow && { workflowId: o.workflow }),
        ...(o.state && { state: o.state as 'active' }),
        ...(o.limit && { limit: parseInteger('--limit', o.limit) }),
        ...(o.cursor && { cursor: o.cursor }),
      }
      printList(ctx.out, await call(ctx, (api) => api.GET('/api/schedules', { params: { query } })), COLUMNS)
    })
  cmd
    .command('get <id>')
    .description('a schedule and its next runs')
    .action(async (id: string) => {
      const path = { id }
      const schedule = await call(ctx, (api) => api.GET('/api/schedules/{id}', { params: { path } }))
      const status = await call(ctx, (api) => api.GET('/api/schedules/{id}/status', { params: { path } }))
      printItem(ctx.out, { ...schedule, nextRuns: status.nextRuns })
    })
  withTiming(cmd.command('create').description('create a schedule'))
    .requiredOption('--workflow <id>', 'the workflow it runs')
    .action(async (o: TimingOptions & { workflow: string }) => {
      const body = { workflowId: o.workflow, ...timing(o) } as never
      printItem(ctx.out, await call(ctx, (api) => api.POST('/api/schedules', { body })))
    })
  withTiming(cmd.command('update <id>').description('change fields of a schedule'))
    .option('--enabled <bool>', 'true or false', (v) => v === 'true')
    .action(async (id: string, o: TimingOptions) => {
      const body = timing(o)
      printItem(
        ctx.out,
        await call(ctx, (api) => api.PATCH('/api/schedules/{id}', { params: { path: { id } }, body })),
      )
    })
  stateCommands(cmd, ctx)
}

function stateCommands(cmd: Command, ctx: Context) {
  cmd
    .command('pause <id>')
    .description('pause: no fire starts after this returns')
    .option('--note <text>', 'why (shown as pausedNote)')
    .action(async (id: string, o: { note?: string }) => {
      const body = o.note ? { note: o.note } : {}
      const answer = await call(ctx, (api) =>
        api.POST('/api/schedules/{id}/pause', { params: { path: { id } }, body }),
      )
      printItem(ctx.out, answer)
    })
  cmd
    .command('resume <id>')
    .description('resume a paused schedule')
    .action(async (id: string) => {
      printItem(
        ctx.out,
        await call(ctx, (api) => api.POST('/api/schedules/{id}/resume', { params: { path: { id } } })),
      )
    })
  cmd
    .command('trigger <id>')
    .description("run the schedule's workflow now")
    .option('--input <json>', 'input for this run, a JSON object')
    .action(async (id: string, o: { input?: string }) => {
      const input = parseJson('--input', o.input) as Record<string, unknown> | undefined
      const body = input ? { input } : {}
      const answer = await call(ctx, (api) =>
        api.POST('/api/schedules/{id}/trigger', { params: { path: { id } }, body }),
      )
      printItem(ctx.out, answer)
    })
  cmd
    .command('rm <id>')
    .description('delete a schedule')
    .action(async (id: string) => {
      await call(ctx, (api) => api.DELETE('/api/schedules/{id}', { params: { path: { id } } }))
      printItem(ctx.out, ctx.out.json ? { deleted: id } : null)
    })
}
