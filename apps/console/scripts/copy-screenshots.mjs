// `pnpm run screenshots`: after the browser tests wrote .tmp/screenshots/, copy the ones the README shows into
// docs/screenshots/.
import { copyFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const SHOWN = [
  'overview',
  'schedule',
  'execution',
  'dead-letter',
  'workflow',
  'page-schedule-mobile',
  'triggers',
  'optimizer',
]
await mkdir(join(root, 'docs/screenshots'), { recursive: true })
for (const name of SHOWN) {
  await copyFile(join(root, '.tmp/screenshots', `${name}.png`), join(root, 'docs/screenshots', `${name}.png`))
  console.log(`docs/screenshots/${name}.png`)
}
