/** Work in flight that a stop waits for (start batches, step runs), each forgotten once it settles. */
export function createInflight() {
  const inflight = new Set<Promise<void>>()
  return {
    track(p: Promise<void>): void {
      inflight.add(p)
      p.finally(() => inflight.delete(p)).catch(() => {})
    },
    get size(): number {
      return inflight.size
    },
    /** Resolves once nothing is in flight, or after `ms` at most (checked every 50 ms). */
    async settleWithin(ms: number): Promise<void> {
      const deadline = performance.now() + ms
      while (inflight.size > 0 && performance.now() < deadline) {
        await Promise.race([Promise.allSettled([...inflight]), new Promise((r) => setTimeout(r, 50))])
      }
    },
  }
}

export type Inflight = ReturnType<typeof createInflight>
