import type { Command } from 'commander'
import { type Context, call } from '../context.ts'
import { printItem, printList } from '../output.ts'

/** `punctual secrets ls|set|rm` and `punctual api-keys ls|create|revoke` (admin). */
export function adminCommands(program: Command, ctx: Context) {
  const secrets = program.command('secrets').description('tenant secrets for http steps (admin)')
  secrets
    .command('ls')
    .description('list secrets (names and allowed hosts, never values)')
    .action(async () => {
      const page = await call(ctx, (api) => api.GET('/api/secrets'))
      printList(ctx.out, page, ['name', 'allowedHosts', 'updatedAt'])
    })
  secrets
    .command('set <name>')
    .description('create or replace a secret')
    .requiredOption('--value <value>', 'the secret')
    .option('--allowed-hosts <hosts>', 'comma-separated hosts it may be sent to')
    .action(async (name: string, o: { value: string; allowedHosts?: string }) => {
      const body = { value: o.value, ...(o.allowedHosts && { allowedHosts: o.allowedHosts.split(',') }) }
      await call(ctx, (api) => api.PUT('/api/secrets/{name}', { params: { path: { name } }, body }))
      printItem(ctx.out, ctx.out.json ? { name, set: true } : null)
    })
  secrets
    .command('rm <name>')
    .description('delete a secret no workflow uses')
    .action(async (name: string) => {
      await call(ctx, (api) => api.DELETE('/api/secrets/{name}', { params: { path: { name } } }))
      printItem(ctx.out, ctx.out.json ? { deleted: name } : null)
    })

  const keys = program.command('api-keys').description('API keys acting for the tenant (admin)')
  keys
    .command('ls')
    .description('list API keys (never a key itself)')
    .action(async () => {
      const page = await call(ctx, (api) => api.GET('/api/api-keys'))
      printList(ctx.out, page, ['id', 'name', 'role', 'prefix', 'lastUsedAt', 'expiresAt'])
    })
  keys
    .command('create')
    .description('create an API key; the key is shown once')
    .requiredOption('--name <name>', 'key name')
    .requiredOption('--role <role>', 'viewer | editor | admin')
    .action(async (o: { name: string; role: string }) => {
      const body = { name: o.name, role: o.role as 'viewer' }
      printItem(ctx.out, await call(ctx, (api) => api.POST('/api/api-keys', { body })))
    })
  keys
    .command('revoke <id>')
    .description('revoke an API key (every API replica refuses it within 5 s)')
    .action(async (id: string) => {
      await call(ctx, (api) => api.DELETE('/api/api-keys/{id}', { params: { path: { id } } }))
      printItem(ctx.out, ctx.out.json ? { revoked: id } : null)
    })
}
