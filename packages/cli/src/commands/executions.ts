import type { Command } from 'commander'
import { type Context, call, parseInteger, parseJson } from '../context.ts'
import { printItem, printList } from '../output.ts'

const COLUMNS = ['id', 'kind', 'status', 'attempt', 'scheduledFor', 'finishedAt']

/** `punctual executions ls|get|cancel|retry` and `punctual dlq ls|redrive`. */
export function executionsCommand(program: Command, ctx: Context) {
  const cmd = program.command('executions').description('executions of workflows')
  cmd
    .command('ls')
    .description('list executions, newest first')
    .option('--status <status>', 'queued | running | succeeded | retrying | dead | cancelled | skipped')
    .option('--schedule <id>', 'only this schedule')
    .option('--limit <n>', 'page size (1-500)')
    .option('--cursor <cursor>', 'the next page')
    .action(async (o: { status?: string; schedule?: string; limit?: string; cursor?: string }) => {
      const query = {
        ...(o.status && { status: o.status as 'queued' }),
        ...(o.schedule && { scheduleId: o.schedule }),
        ...(o.limit && { limit: parseInteger('--limit', o.limit) }),
        ...(o.cursor && { cursor: o.cursor }),
      }
      printList(ctx.out, await call(ctx, (api) => api.GET('/api/executions', { params: { query } })), COLUMNS)
    })
  cmd
    .command('get <id>')
    .description('an execution with its steps and error')
    .action(async (id: string) => {
      printItem(
        ctx.out,
        await call(ctx, (api) => api.GET('/api/executions/{id}', { params: { path: { id } } })),
      )
    })
  cmd
    .command('cancel <id>')
    .description('cancel a queued, retrying or running execution')
    .action(async (id: string) => {
      const answer = await call(ctx, (api) =>
        api.POST('/api/executions/{id}/cancel', { params: { path: { id } } }),
      )
      printItem(ctx.out, answer)
    })
  cmd
    .command('retry <id>')
    .description('redrive a dead execution as a new one')
    .option('--input <json>', 'another input (default: the dead one’s)')
    .action(async (id: string, o: { input?: string }) => {
      const input = parseJson('--input', o.input) as Record<string, unknown> | undefined
      const body = input ? { input } : {}
      const answer = await call(ctx, (api) =>
        api.POST('/api/executions/{id}/retry', { params: { path: { id } }, body }),
      )
      printItem(ctx.out, answer)
    })
  dlqCommand(program, ctx)
}

function dlqCommand(program: Command, ctx: Context) {
  const cmd = program.command('dlq').description('the dead-letter queue (executions that are dead)')
  cmd
    .command('ls')
    .description('list dead executions, newest first')
    .option('--cursor <cursor>', 'the next page')
    .action(async (o: { cursor?: string }) => {
      const query = { status: 'dead' as const, ...(o.cursor && { cursor: o.cursor }) }
      printList(ctx.out, await call(ctx, (api) => api.GET('/api/executions', { params: { query } })), COLUMNS)
    })
  cmd
    .command('redrive')
    .description('redrive dead executions in bulk (at most 10,000 a call)')
    .option('--workflow <id>', 'only this workflow')
    .option('--schedule <id>', 'only this schedule')
    .option('--trigger <id>', 'only this trigger')
    .option('--error-class <class>', 'retryable | permanent')
    .option('--dry-run', 'only count')
    .action(
      async (o: {
        workflow?: string
        schedule?: string
        trigger?: string
        errorClass?: string
        dryRun?: boolean
      }) => {
        const filter = {
          ...(o.workflow && { workflowId: o.workflow }),
          ...(o.schedule && { scheduleId: o.schedule }),
          ...(o.trigger && { triggerId: o.trigger }),
          ...(o.errorClass && { errorClass: o.errorClass as 'retryable' }),
        }
        const body = { filter, ...(o.dryRun && { dryRun: true }) }
        printItem(ctx.out, await call(ctx, (api) => api.POST('/api/executions/redrive', { body })))
      },
    )
}
