/** Wakes sleepers early (a slot freed, resume, stop); otherwise a timed sleep. */
export function createWakeup() {
  const sleepers = new Set<() => void>()
  return {
    wake() {
      const all = [...sleepers]
      sleepers.clear()
      for (const done of all) done()
    },
    sleep(ms: number): Promise<void> {
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer)
          sleepers.delete(done)
          resolve()
        }
        const timer = setTimeout(done, ms)
        sleepers.add(done)
      })
    },
  }
}

export type Wakeup = ReturnType<typeof createWakeup>

/** A sleep of `ms` that ends early (resolving, never rejecting) when `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
