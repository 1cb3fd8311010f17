import type { Command } from 'commander'
import { createSigner } from 'fast-jwt'
import { saveLogin } from '../config.ts'
import { type Context, call, createContext, parseInteger } from '../context.ts'
import { CliError, EXIT, printItem, printList } from '../output.ts'

/** The development secret the API accepts outside production when JWT_SECRET is unset (README). */
const DEV_JWT_SECRET = 'dev-secret-change-me-in-production'

/** `punctual login`, `cron preview`, `workers`, `token`. */
export function miscCommands(program: Command, ctx: Context) {
  program
    .command('login')
    .description('store the API URL and a credential (JWT or API key) in the config directory (mode 0600)')
    .requiredOption('--url <url>', 'the API, e.g. http://127.0.0.1:3000')
    .requiredOption('--token <token>', 'a JWT or an API key (pk_…)')
    .action(async (o: { url: string; token: string }) => {
      if (!/^https?:\/\//.test(o.url)) throw new CliError(EXIT.USAGE, 'error: --url must be an http(s) URL')
      const url = o.url.replace(/\/+$/, '')
      // Checked before it is stored: a refused credential or an unreachable API is said now, not at the next command.
      const check = createContext(ctx.out, { ...ctx.env, PUNCTUAL_URL: url, PUNCTUAL_TOKEN: o.token })
      await call(check, (api) => api.GET('/api/workflows', { params: { query: { limit: 1 } } }))
      const file = saveLogin({ url, token: o.token }, ctx.env)
      printItem(ctx.out, ctx.out.json ? { url, config: file } : null)
      if (!ctx.out.json) ctx.out.write(`logged in to ${url} (saved in ${file})`)
    })
  program
    .command('cron')
    .description('cron expression tools')
    .command('preview <expression>')
    .description('the next fire times of an expression')
    .option('--tz <zone>', 'IANA time zone (default UTC)')
    .option('--count <n>', 'how many (1-100)', '5')
    .action(async (expression: string, o: { tz?: string; count: string }) => {
      const body = { expression, count: parseInteger('--count', o.count)!, ...(o.tz && { timezone: o.tz }) }
      const answer = await call(ctx, (api) => api.POST('/api/cron/preview', { body }))
      if (ctx.out.json) return printItem(ctx.out, answer)
      for (const at of answer.nextRuns) ctx.out.write(at)
    })
  program
    .command('workers')
    .description('the live worker processes')
    .action(async () => {
      const list = await call(ctx, (api) => api.GET('/api/workers'))
      printList(ctx.out, list, ['id', 'host', 'state', 'running', 'concurrency', 'lastSeenAt'])
    })
  program
    .command('token')
    .description('mint a development JWT (signed with JWT_SECRET, or the development secret)')
    .requiredOption('--tenant <tenant>', 'the tenant it acts for')
    .option('--role <role>', 'viewer | editor | admin', 'admin')
    .option('--sub <subject>', 'who', 'cli')
    .option('--ttl <seconds>', 'lifetime', '86400')
    .action((o: { tenant: string; role: string; sub: string; ttl: string }) => {
      const ttl = parseInteger('--ttl', o.ttl)!
      const key = ctx.env['JWT_SECRET'] || DEV_JWT_SECRET
      const token = createSigner({ key, algorithm: 'HS256', expiresIn: ttl * 1000 })({
        sub: o.sub,
        tenant: o.tenant,
        role: o.role,
      })
      ctx.out.write(ctx.out.json ? JSON.stringify({ token }) : token)
    })
}
