import type { Command } from 'commander'
import { type Context, call, parseInteger, parseJson } from '../context.ts'
import { printItem, printList } from '../output.ts'

interface CreateOptions {
  type: string
  workflow: string
  name: string
  eventType?: string
  scheme?: string
  filter?: string
  rateLimit?: string
}

/** `punctual triggers ls|get|create|rotate-secret|rm`. */
export function triggersCommand(program: Command, ctx: Context) {
  const cmd = program.command('triggers').description('event and webhook triggers')
  cmd
    .command('ls')
    .description('list triggers')
    .option('--type <type>', 'event | webhook')
    .option('--cursor <cursor>', 'the next page')
    .action(async (o: { type?: string; cursor?: string }) => {
      const query = { ...(o.type && { type: o.type as 'event' }), ...(o.cursor && { cursor: o.cursor }) }
      const page = await call(ctx, (api) => api.GET('/api/triggers', { params: { query } }))
      printList(ctx.out, page, ['id', 'name', 'type', 'eventType', 'enabled', 'url'])
    })
  cmd
    .command('get <id>')
    .description('a trigger (without its secret)')
    .action(async (id: string) => {
      printItem(
        ctx.out,
        await call(ctx, (api) => api.GET('/api/triggers/{id}', { params: { path: { id } } })),
      )
    })
  cmd
    .command('create')
    .description('create a trigger; a webhook trigger’s secret is shown once')
    .requiredOption('--type <type>', 'event | webhook')
    .requiredOption('--workflow <id>', 'the workflow it starts')
    .requiredOption('--name <name>', 'trigger name')
    .option('--event-type <glob>', 'event triggers: the event types it takes (exact, prefix.* or *)')
    .option('--scheme <scheme>', 'webhook triggers: standard | github')
    .option('--filter <json>', 'a filter pattern on the event data or the webhook body')
    .option('--rate-limit <n>', 'deliveries per minute')
    .action(async (o: CreateOptions) => {
      const body = {
        type: o.type,
        workflowId: o.workflow,
        name: o.name,
        ...(o.eventType && { eventType: o.eventType }),
        ...(o.scheme && { scheme: o.scheme }),
        ...(o.filter && { filter: parseJson('--filter', o.filter) }),
        ...(o.rateLimit && { rateLimitPerMinute: parseInteger('--rate-limit', o.rateLimit) }),
      } as never
      printItem(ctx.out, await call(ctx, (api) => api.POST('/api/triggers', { body })))
    })
  cmd
    .command('rotate-secret <id>')
    .description('a new signing secret for a webhook trigger (the old one works for the grace period)')
    .action(async (id: string) => {
      const answer = await call(ctx, (api) =>
        api.POST('/api/triggers/{id}/rotate-secret', { params: { path: { id } } }),
      )
      printItem(ctx.out, answer)
    })
  cmd
    .command('rm <id>')
    .description('delete a trigger')
    .action(async (id: string) => {
      await call(ctx, (api) => api.DELETE('/api/triggers/{id}', { params: { path: { id } } }))
      printItem(ctx.out, ctx.out.json ? { deleted: id } : null)
    })
}
