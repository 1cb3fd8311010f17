/** A step after COMMIT that talks to Redis; kept until it succeeds (Redis may be down right then). */
export interface RedisStep {
  what: string
  run: () => Promise<void>
}

/**
 * The Redis steps a scheduler still owes after its COMMITs, run in order. A step that fails stays first and
 * is run again by the next flush (the next round starts with it), so no committed fire loses its enqueue or
 * its claim's end while Redis is away.
 */
export function createPendingSteps() {
  let pending: RedisStep[] = []
  return {
    add(step: RedisStep): void {
      pending.push(step)
    },
    async flush(): Promise<void> {
      while (pending.length > 0) {
        const step = pending[0]!
        await step.run()
        pending.shift()
      }
    },
    /** Forgets the steps left (at stop, when Redis does not take them), naming them for the log. */
    drop(): string[] {
      const left = pending.map((s) => s.what)
      pending = []
      return left
    },
  }
}
export type PendingSteps = ReturnType<typeof createPendingSteps>
