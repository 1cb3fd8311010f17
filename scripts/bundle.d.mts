/** Bundles a Node entry point (and the queue's Lua scripts beside it); resolves to the bundle's path. */
export function bundle(entry: string, outfile: string, opts?: { external?: string[] }): Promise<string>
/** V8 flags the worker runs with in production. */
export const workerNodeFlags: readonly string[]
/** The API's production bundle: entry, output (repository-relative) and the packages left outside. */
export const apiBundle: { readonly entry: string; readonly outfile: string; readonly external: string[] }
