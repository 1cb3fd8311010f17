import { parseArgs } from 'node:util'
import { createSigner } from 'fast-jwt'
import { loadApiConfig } from './config.ts'
import { ROLES } from './plugins/auth.ts'

/** `pnpm run token --tenant acme --role editor [--sub alice] [--ttl 86400]` prints a dev JWT signed with JWT_SECRET. */
const { values } = parseArgs({
  options: {
    tenant: { type: 'string', default: 'acme' },
    role: { type: 'string', default: 'admin' },
    sub: { type: 'string', default: 'dev' },
    ttl: { type: 'string', default: '86400' },
  },
})
if (!(ROLES as readonly string[]).includes(values.role!)) {
  console.error(`--role must be one of ${ROLES.join(', ')}`)
  process.exit(1)
}
const ttl = Number(values.ttl)
if (!Number.isInteger(ttl) || ttl <= 0) {
  console.error('--ttl must be a positive number of seconds')
  process.exit(1)
}
const config = loadApiConfig()
if (ttl > config.JWT_MAX_TTL_SECONDS) {
  console.error(
    `--ttl must be at most JWT_MAX_TTL_SECONDS (${config.JWT_MAX_TTL_SECONDS}): a longer token is refused`,
  )
  process.exit(1)
}
const sign = createSigner({ key: config.JWT_SECRET, algorithm: 'HS256', expiresIn: ttl * 1000 })
console.log(sign({ sub: values.sub, tenant: values.tenant, role: values.role }))
