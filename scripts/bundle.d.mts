/** Bundles a Node entry point (and the queue's Lua scripts beside it); resolves to the bundle's path. */
export function bundle(entry: string, outfile: string): Promise<string>
