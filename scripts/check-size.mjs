#!/usr/bin/env node
// Size check (issue 12): no non-test source file (.ts, .mts, .tsx) under apps/*/src or packages/*/src over MAX_FILE_LINES
// lines, no function over MAX_FUNCTION_LINES. Lists every offender. Offenders recorded in
// scripts/size-baseline.json are tolerated while the layout redesign moves them (they may shrink, not grow);
// any other offender fails the check. `--write-baseline` records the current offenders.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const MAX_FILE_LINES = 400
const MAX_FUNCTION_LINES = 80
const root = fileURLToPath(new URL('..', import.meta.url))
const baselineFile = join(root, 'scripts/size-baseline.json')

function sourceFiles() {
  const out = []
  for (const group of ['apps', 'packages']) {
    for (const pkg of readdirSync(join(root, group), { withFileTypes: true })) {
      if (!pkg.isDirectory()) continue
      walk(join(root, group, pkg.name, 'src'), out)
    }
  }
  return out.sort()
}

/** A generated file (its first line says so, e.g. the typed client's schema.ts) is nobody's to split. */
function isGenerated(path) {
  return readFileSync(path, 'utf8').startsWith('// Generated ')
}

function walk(dir, out) {
  let entries
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return
  }
  for (const e of entries) {
    const path = join(dir, e.name)
    if (e.isDirectory()) walk(path, out)
    else if (/\.(m?ts|tsx)$/.test(e.name) && !/\.(test|d)\.m?tsx?$/.test(e.name) && !isGenerated(path))
      out.push(path)
  }
}

function functionName(node) {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text
  if (node.name && ts.isStringLiteral(node.name)) return node.name.text
  const parent = node.parent
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text
  if (parent && ts.isPropertyAssignment(parent) && parent.name) return parent.name.getText()
  if (ts.isConstructorDeclaration(node)) return 'constructor'
  return '(anonymous)'
}

/** Offenders of one file: `{ file: lines? , functions: [[name, lines]] }`. */
function measure(path) {
  const text = readFileSync(path, 'utf8')
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true)
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0)
  const functions = []
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line
      const span = end - start + 1
      if (span > MAX_FUNCTION_LINES) functions.push([`${functionName(node)}@${start + 1}`, span])
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return { lines, functions }
}

const offenders = {}
for (const path of sourceFiles()) {
  const rel = relative(root, path)
  const { lines, functions } = measure(path)
  if (lines > MAX_FILE_LINES) offenders[`${rel}`] = lines
  // Keyed by name without the line number, so edits above a function do not change its key.
  for (const [name, span] of functions) offenders[`${rel}#${name.replace(/@\d+$/, '')}`] = span
}

if (process.argv.includes('--write-baseline')) {
  writeFileSync(baselineFile, `${JSON.stringify(offenders, null, 2)}\n`)
  console.log(`size baseline: ${Object.keys(offenders).length} offenders recorded`)
  process.exit(0)
}

let baseline = {}
try {
  baseline = JSON.parse(readFileSync(baselineFile, 'utf8'))
} catch {}
const failures = []
for (const [key, size] of Object.entries(offenders)) {
  const limit = key.includes('#') ? MAX_FUNCTION_LINES : MAX_FILE_LINES
  const known = baseline[key]
  const note = known === undefined ? 'NEW' : size > known ? `grew from ${known}` : 'known'
  console.log(`size: ${key} ${size} lines (limit ${limit}; ${note})`)
  if (known === undefined || size > known) failures.push(key)
}
if (failures.length > 0) {
  console.error(
    `size check failed: ${failures.length} new or grown offender(s) over ${MAX_FILE_LINES} lines per file / ${MAX_FUNCTION_LINES} per function`,
  )
  process.exit(1)
}
console.log(`size check: ${Object.keys(offenders).length} known offender(s) left to split, none new`)
