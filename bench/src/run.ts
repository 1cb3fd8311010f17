import { readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { type BenchSection, renderSection } from './report.ts'

/** Each benchmark is a module with `run(): Promise<BenchSection>`; `pnpm bench [name...]` runs some or all. */
const suites: Record<string, () => Promise<{ run: () => Promise<BenchSection> }>> = {
  cron: () => import('./cron.ts'),
  api: () => import('./api.ts'),
  queue: () => import('./queue.ts'),
  worker: () => import('./worker.ts'),
  events: () => import('./events.ts'),
  ingest: () => import('./ingest.ts'),
  'ingest-templates': () => import('./ingest-templates.ts'),
  schedules: () => import('./schedules.ts'),
  fairness: () => import('./fairness.ts'),
  failures: () => import('./failures.ts'),
  secrets: () => import('./secrets.ts'),
  optimizer: () => import('./optimizer.ts'),
  cluster: () => import('./cluster.ts'),
}

const outFile = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url))
const START = '<!-- section:'

async function main() {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'))
  const names = wanted.length > 0 ? wanted : Object.keys(suites)
  let doc = await readFile(outFile, 'utf8').catch(() => '')
  if (!doc.includes('# Benchmarks')) doc = header()
  for (const name of names) {
    const load = suites[name]
    if (!load) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(suites).join(', ')}`)
    console.log(`\n=== ${name} ===`)
    const section = await (await load()).run()
    const text = `${START}${section.id} -->\n${renderSection(section)}<!-- end:${section.id} -->\n`
    console.log(renderSection(section))
    const re = new RegExp(`${START}${section.id} -->[\\s\\S]*?<!-- end:${section.id} -->\\n`)
    doc = re.test(doc) ? doc.replace(re, text) : `${doc}\n${text}`
    await writeFile(outFile, doc)
  }
}

function header(): string {
  return [
    '# Benchmarks',
    '',
    'Produced by `pnpm bench` (or `pnpm bench <name>` for one section); each section is rewritten in place when it runs.',
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}.`,
    'Load generators and servers share the same 2 cores, so absolute figures are lower than on a dedicated machine; ratios against the peer measured in the same run are what the targets are about.',
    '',
  ].join('\n')
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
