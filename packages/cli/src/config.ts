import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

/** What `punctual login` stores: the API's URL and a credential (a JWT or an API key). */
export interface Login {
  url: string
  token: string
}

/**
 * The user's config directory: PUNCTUAL_CONFIG_DIR, else `$XDG_CONFIG_HOME/punctual`, else
 * `~/.config/punctual`. The file holds a credential, so it is written with mode 0600 (the directory 0700).
 */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['PUNCTUAL_CONFIG_DIR']) return env['PUNCTUAL_CONFIG_DIR']
  return join(env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'punctual')
}

export function configFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'config.json')
}

export function saveLogin(login: Login, env: NodeJS.ProcessEnv = process.env): string {
  const dir = configDir(env)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const file = configFile(env)
  writeFileSync(file, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 })
  chmodSync(file, 0o600)
  return file
}

/** The stored login, overridden field by field by PUNCTUAL_URL and PUNCTUAL_TOKEN; null without a URL. */
export function loadLogin(env: NodeJS.ProcessEnv = process.env): Partial<Login> {
  let stored: Partial<Login> = {}
  try {
    stored = JSON.parse(readFileSync(configFile(env), 'utf8')) as Partial<Login>
  } catch {
    // Not logged in yet.
  }
  return {
    ...stored,
    ...(env['PUNCTUAL_URL'] && { url: env['PUNCTUAL_URL'] }),
    ...(env['PUNCTUAL_TOKEN'] && { token: env['PUNCTUAL_TOKEN'] }),
  }
}
