import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { type Context, call, parseJson } from '../context.ts'
import { CliError, EXIT, printItem, printList } from '../output.ts'

/** A workflow definition from `--file` (a JSON file; `-` is standard input). */
function definition(file: string): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8')
  } catch {
    throw new CliError(EXIT.USAGE, `error: cannot read --file ${file}`)
  }
  return parseJson('--file', text) as Record<string, unknown>
}

/** `punctual workflows ls|get|create|update|rm`. */
export function workflowsCommand(program: Command, ctx: Context) {
  const cmd = program.command('workflows').description('workflows: the steps schedules and triggers run')
  cmd
    .command('ls')
    .description('list workflows')
    .option('--cursor <cursor>', 'the next page')
    .action(async (o: { cursor?: string }) => {
      const query = o.cursor ? { cursor: o.cursor } : {}
      const page = await call(ctx, (api) => api.GET('/api/workflows', { params: { query } }))
      printList(ctx.out, page, ['id', 'name', 'version', 'maxConcurrency', 'updatedAt'])
    })
  cmd
    .command('get <id>')
    .description('a workflow with its steps')
    .action(async (id: string) => {
      printItem(
        ctx.out,
        await call(ctx, (api) => api.GET('/api/workflows/{id}', { params: { path: { id } } })),
      )
    })
  cmd
    .command('create')
    .description('create a workflow from a JSON definition ({ name, steps, ... })')
    .requiredOption('--file <path>', 'the definition (JSON; - for standard input)')
    .action(async (o: { file: string }) => {
      const body = definition(o.file) as never
      printItem(ctx.out, await call(ctx, (api) => api.POST('/api/workflows', { body })))
    })
  cmd
    .command('update <id>')
    .description('change fields of a workflow from a JSON file')
    .requiredOption('--file <path>', 'the fields to change (JSON; - for standard input)')
    .action(async (id: string, o: { file: string }) => {
      const body = definition(o.file) as never
      printItem(
        ctx.out,
        await call(ctx, (api) => api.PATCH('/api/workflows/{id}', { params: { path: { id } }, body })),
      )
    })
  cmd
    .command('rm <id>')
    .description('delete a workflow no schedule or trigger uses')
    .action(async (id: string) => {
      await call(ctx, (api) => api.DELETE('/api/workflows/{id}', { params: { path: { id } } }))
      printItem(ctx.out, ctx.out.json ? { deleted: id } : null)
    })
}
