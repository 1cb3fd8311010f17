/** Types of build.mjs (plain JavaScript, run by node directly). */
export declare const consoleDist: string
export declare function buildConsole(opts?: { ifStale?: boolean }): Promise<string>
