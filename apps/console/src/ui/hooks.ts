import { useCallback, useEffect, useRef, useState } from 'preact/hooks'

export interface Loaded<T> {
  data: T | undefined
  error: unknown
  loading: boolean
  reload: () => void
}

/**
 * Loads `load()` when `key` changes (and every `refreshMs` when given, while the page is shown). The last data
 * stays shown while a refresh runs or fails, so a page never goes blank.
 */
export function useLoad<T>(load: () => Promise<T>, key: unknown[], refreshMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  })
  const [tick, setTick] = useState(0)
  const seq = useRef(0)
  // `key` lists what the load depends on (the caller's inputs).
  useEffect(() => {
    const mine = ++seq.current
    setState((s) => ({ ...s, loading: true }))
    load().then(
      (data) => mine === seq.current && setState({ data, error: undefined, loading: false }),
      (error) => mine === seq.current && setState((s) => ({ data: s.data, error, loading: false })),
    )
  }, [...key, tick])
  useEffect(() => {
    if (!refreshMs) return
    const timer = setInterval(() => setTick((t) => t + 1), refreshMs)
    return () => clearInterval(timer)
  }, [refreshMs])
  const reload = useCallback(() => setTick((t) => t + 1), [])
  return { ...state, reload }
}
