import { readdirSync, readFileSync } from 'node:fs'
import type { ChainableCommander } from 'ioredis'
import { QueueError, toQueueError } from './errors.ts'
import type { Redis } from './redis.ts'
import { unexpected } from './validate.ts'

/**
 * Loads `scripts/<operation>-<NKEYS>.lua` and registers each one on a client with `defineCommand`, which
 * sends EVALSHA and falls back to EVAL when the server does not know the script (NOSCRIPT, e.g. after a
 * restart or SCRIPT FLUSH). The key count comes from the file name, as in bullmq's script loader; the
 * command name is the camel-cased operation (`upsert-schedule-6.lua` → `upsertSchedule`).
 *
 * Helpers shared by several scripts live in `scripts/includes/<name>.lua` and are pulled in by a line
 * `--- @include "<name>"` (bullmq's convention), so one transition stays one script without copying code.
 */
export const SCRIPT_NAMES = [
  // due-index (API writes, reconciler repairs)
  'upsertSchedule',
  'removeSchedule',
  'getDueEntry',
  'repairSchedule',
  'forceRepairSchedule',
  // fire claiming (worker scheduler)
  'claimDue',
  'completeClaim',
  'completeClaims',
  'releaseClaim',
  'reclaimExpiredClaims',
  // execution queue
  'enqueue',
  'dequeue',
  'renew',
  'ack',
  'retryLater',
  'release',
  'cancelExecution',
  'removeExecution',
  'setPriority',
  'promoteDue',
  'reclaimExpired',
  'getExecution',
  'queueStats',
  'setWorkflowCap',
  // API rate limiting
  'rateLimitIncr',
  // system event stream
  'ackEvents',
  'pruneEventConsumers',
] as const
export type ScriptName = (typeof SCRIPT_NAMES)[number]

export interface ScriptDefinition {
  name: string
  file: string
  numberOfKeys: number
  lua: string
}

/** Runs one script: the key list must have exactly the script's number of keys. */
export type ScriptRunner = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>
export type QueueScripts = Readonly<Record<ScriptName, ScriptRunner>>

const SCRIPT_FILE = /^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)-(\d+)\.lua$/
// Relative to this module, not the working directory.
const SCRIPTS_DIR = new URL('./scripts/', import.meta.url)
const INCLUDES_DIR = new URL('./scripts/includes/', import.meta.url)
const INCLUDE_LINE = /^--- @include "([a-z][a-z0-9-]*)"[ \t]*$/gm

let definitions: ReadonlyMap<string, ScriptDefinition> | undefined

export function parseScriptFileName(file: string): { name: string; numberOfKeys: number } | null {
  const match = SCRIPT_FILE.exec(file)
  if (!match) return null
  const name = match[1]!.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())
  return { name, numberOfKeys: Number(match[2]) }
}

/** Reads every script once per process (synchronously: a few small files, read on first use). */
export function readScriptDefinitions(): ReadonlyMap<string, ScriptDefinition> {
  if (definitions) return definitions
  const found = new Map<string, ScriptDefinition>()
  for (const file of readdirSync(SCRIPTS_DIR).sort()) {
    if (!file.endsWith('.lua')) continue
    const parsed = parseScriptFileName(file)
    if (!parsed) throw new Error(`Lua script ${file} is not named <operation>-<NKEYS>.lua`)
    if (found.has(parsed.name)) throw new Error(`Two Lua scripts define ${parsed.name}`)
    const lua = expandIncludes(readFileSync(new URL(file, SCRIPTS_DIR), 'utf8'), file)
    found.set(parsed.name, { ...parsed, file, lua })
  }
  for (const name of SCRIPT_NAMES) {
    if (!found.has(name)) throw new Error(`Lua script for ${name} is missing from ${SCRIPTS_DIR.pathname}`)
  }
  definitions = found
  return found
}

/**
 * Replaces each `--- @include "name"` line with `scripts/includes/name.lua` (itself expanded). A helper
 * included twice is inlined once: the first inclusion defines its locals for the rest of the script.
 */
export function expandIncludes(lua: string, file: string, seen: Set<string> = new Set()): string {
  return lua.replace(INCLUDE_LINE, (_, name: string) => {
    if (seen.has(name)) return `-- (${name} already included)`
    seen.add(name)
    let body: string
    try {
      body = readFileSync(new URL(`${name}.lua`, INCLUDES_DIR), 'utf8')
    } catch {
      throw new Error(`${file} includes "${name}", but scripts/includes/${name}.lua does not exist`)
    }
    return expandIncludes(body, `includes/${name}.lua`, seen)
  })
}

const loaded = new WeakMap<Redis, QueueScripts>()

/** Registers the scripts on this client (once per client) and returns typed runners. */
export function loadScripts(redis: Redis): QueueScripts {
  const existing = loaded.get(redis)
  if (existing) return existing
  const defs = readScriptDefinitions()
  const runners = {} as Record<ScriptName, ScriptRunner>
  for (const name of SCRIPT_NAMES) {
    const def = defs.get(name)!
    const command = `punctual_${name}`
    redis.defineCommand(command, { numberOfKeys: def.numberOfKeys, lua: def.lua })
    const call = (redis as unknown as Record<string, (...args: (string | number)[]) => Promise<unknown>>)[
      command
    ]!.bind(redis)
    runners[name] = async (keys, args) => {
      if (keys.length !== def.numberOfKeys) {
        throw new QueueError(
          'QUEUE_ERR_INVALID_INPUT',
          `${def.file} takes ${def.numberOfKeys} keys, got ${keys.length}`,
        )
      }
      try {
        return await call(...keys, ...args)
      } catch (err) {
        throw toQueueError(err)
      }
    }
  }
  const scripts = Object.freeze(runners)
  loaded.set(redis, scripts)
  return scripts
}

/**
 * Queues one script call on a pipeline of a client that went through loadScripts (ioredis copies the
 * defined commands onto each pipeline). The reply lands in `pipeline.exec()` as [error, reply].
 */
export function pipelineScript(
  pipeline: ChainableCommander,
  name: ScriptName,
  keys: readonly string[],
  args: readonly (string | number)[],
): void {
  const def = readScriptDefinitions().get(name)!
  if (keys.length !== def.numberOfKeys) {
    throw new QueueError(
      'QUEUE_ERR_INVALID_INPUT',
      `${def.file} takes ${def.numberOfKeys} keys, got ${keys.length}`,
    )
  }
  const command = (pipeline as unknown as Record<string, (...a: (string | number)[]) => unknown>)[
    `punctual_${name}`
  ]
  if (!command)
    throw new Error(`script ${name} is not defined on this pipeline's client (call loadScripts first)`)
  command.call(pipeline, ...keys, ...args)
}

/**
 * Sends a pipeline and returns its replies in order: a transport failure or any command's error becomes a
 * QueueError, and a reply list of the wrong length is reported as unexpected (`what` names the pipeline).
 */
export async function execPipeline(
  pipeline: ChainableCommander,
  expected: number,
  what: string,
): Promise<unknown[]> {
  let replies: [Error | null, unknown][] | null
  try {
    replies = await pipeline.exec()
  } catch (err) {
    throw toQueueError(err)
  }
  if (!replies || replies.length !== expected) unexpected(what, replies)
  return replies.map(([err, reply]) => {
    if (err) throw toQueueError(err)
    return reply
  })
}
