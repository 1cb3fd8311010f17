// The browser tests run against the console as `pnpm build` builds it: built here once (only when its inputs
// changed since the last build), before any test file starts.
import { buildConsole } from '../build.mjs'

export default async function setup() {
  await buildConsole({ ifStale: true })
}
