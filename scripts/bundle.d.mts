/** Bundles a Node entry point (and the queue's Lua scripts beside it); resolves to the bundle's path. */
export function bundle(entry: string, outfile: string, opts?: { external?: string[] }): Promise<string>
/** V8 flags the worker runs with in production. */
export const workerNodeFlags: readonly string[]
