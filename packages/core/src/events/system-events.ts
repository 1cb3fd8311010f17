/**
 * The system's own events (http-api.md, Events): emitted when an execution ends `succeeded` or `dead` and when
 * a schedule reaches `completed` by its maxExecutions. Event triggers match them like any event: by type
 * (exact, `execution.*`, `*`) and by filter over `data` (the execution or the schedule, as the API shows it).
 */

export const systemEventTypes = ['execution.succeeded', 'execution.dead', 'schedule.completed'] as const
export type SystemEventType = (typeof systemEventTypes)[number]

export function isSystemEventType(type: string): type is SystemEventType {
  return (systemEventTypes as readonly string[]).includes(type)
}

/**
 * Every trigger eventType that selects `type`: the type itself, the prefix globs of its dot-prefixes and `*`
 * (event-type.ts). A database probe for "could a trigger match this event" is `event_type = any(this)`.
 */
export function eventTypeSelectors(type: string): string[] {
  const selectors = ['*']
  for (let dot = type.indexOf('.'); dot !== -1; dot = type.indexOf('.', dot + 1)) {
    selectors.push(`${type.slice(0, dot)}.*`)
  }
  selectors.push(type)
  return selectors
}

/**
 * The deduplication id of a system event (its receipt in `event_receipts`, per tenant): a redelivered event
 * starts nothing twice. An execution ends once, so its id is the execution's; a schedule may complete again
 * after its maxExecutions is raised, so its id also carries the emission (the outbox row).
 */
export function systemEventId(type: SystemEventType, subjectId: string, emission: string | number): string {
  return type === 'schedule.completed' ? `${type}:${subjectId}:${emission}` : `${type}:${subjectId}`
}

// ------------------------------------------------------------------------------------------------- chains

/**
 * How many times in a row a chain may loop back onto itself. The start that would be the 11th is not made.
 */
export const MAX_CHAIN_LOOPS = 10

/** One execution of a chain, as far as loop detection cares. */
export interface ChainLink {
  executionId: string
  workflowId: string
  triggerId: string | null
}

export interface ChainVerdict {
  /** Whether the new start runs a workflow that already ran in this chain. */
  loopsBack: boolean
  /** Loop-backs in a row, the new start included (0 when it does not loop back). */
  loops: number
  /** More than MAX_CHAIN_LOOPS loop-backs in a row: the start must not be made. */
  stop: boolean
}

/**
 * Whether a start caused by the last execution of `chain` loops.
 *
 * `chain` runs from the root (an execution not started by a system event) to the cause, each link started by
 * the previous one's event. A start *loops back* when its workflow already ran in the chain; its loop count
 * is the cause's loop count + 1, and 0 when it does not loop back (a workflow new to the chain ends the run).
 * Workflow A whose success starts A again: the root's success starts A with loop count 1, …, the 10th with
 * 10; the 11th is stopped. A ping-pong A → B → A → B is caught the same way (from the second A on, every
 * start loops back), so is any longer cycle, while a chain of distinct workflows is never stopped.
 */
export function chainVerdict(chain: readonly ChainLink[], next: { workflowId: string }): ChainVerdict {
  const seen = new Set<string>()
  let loops = 0
  chain.forEach((link, i) => {
    loops = i > 0 && seen.has(link.workflowId) ? loops + 1 : 0
    seen.add(link.workflowId)
  })
  const loopsBack = seen.has(next.workflowId)
  const nextLoops = loopsBack ? loops + 1 : 0
  return {
    loopsBack,
    loops: nextLoops,
    stop: nextLoops > MAX_CHAIN_LOOPS,
  }
}
