/** Empty typed arrays: the value of fields that sealing an index fills in (never written to). */
export const NO_NUMBERS = new Float64Array(0)
export const NO_INTS = new Int32Array(0)
