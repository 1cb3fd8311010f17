/** Builds a Node entry point (and the queue's Lua scripts beside it), atomically; resolves to the bundle's path. */
export function bundle(entry: string, outfile: string, opts?: { external?: string[] }): Promise<string>
/** As bundle(), only when the bundle is missing or any of its inputs changed since it was built. */
export function ensureBundle(entry: string, outfile: string, opts?: { external?: string[] }): Promise<string>
/** V8 flags the worker runs with in production. */
export const workerNodeFlags: readonly string[]
/** The API's production bundle: entry, output (repository-relative) and the packages left outside. */
export const apiBundle: { readonly entry: string; readonly outfile: string; readonly external: string[] }
/** The worker's production bundle: entry and output (repository-relative). */
export const workerBundle: { readonly entry: string; readonly outfile: string; readonly external: string[] }
