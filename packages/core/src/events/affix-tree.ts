import type { BuildSteps } from './build-steps.ts'
import { NO_INTS } from './typed-empty.ts'

/** Reversed by UTF-16 code unit, as `endsWith` compares. */
const reverse = (s: string) => s.split('').reverse().join('')

interface RadixNode {
  /** The characters on the edge into this node, in reading order (from the end, for suffixes). */
  label: string
  /** Id of the operand ending here, or -1. */
  terminal: number
  /** By the first character read on the child's edge (the last one of its label, for suffixes). */
  children: Map<number, RadixNode> | undefined
}

/**
 * A radix tree of prefix (or suffix) operands. Memory is O(operands), not O(their characters): edges hold
 * slices of the operands. `walk` follows a string from its start (or end), one edge per step, comparing
 * whole edges natively, and stamps every operand it passes: exactly the operands that are prefixes
 * (suffixes) of the string. Built as linked nodes, then flattened into arrays (`seal`) for the walks.
 */
export class AffixTree {
  private readonly root: RadixNode = { label: '', terminal: -1, children: undefined }
  private readonly ids = new Map<string, number>()
  /**
   * Flattened, RECORD ints per node: terminal, label length, then how to find a child by its code:
   * directly in `table` (dense nodes: codes min … min+span-1) or by scanning `codes`/`kids`.
   */
  private records = NO_INTS
  private labels: string[] = []
  private table = NO_INTS
  private codes = new Uint16Array(0)
  private kids = NO_INTS

  constructor(private readonly suffix: boolean) {}

  /** Distinct operands added. */
  size = 0
  /** Operands on the longest path from the root (bounds the terminals one walk passes). */
  depth = 0
  /** Edges followed by the last walk. */
  steps = 0

  add(operand: string): number {
    const known = this.ids.get(operand)
    if (known !== undefined) return known
    const id = this.size++
    this.ids.set(operand, id)
    // Built in reading order (a suffix operand reversed); suffix labels are turned back in `seal`.
    const s = this.suffix ? reverse(operand) : operand
    let node = this.root
    let pos = 0
    for (;;) {
      if (pos === s.length) {
        node.terminal = id
        return id
      }
      node.children ??= new Map()
      const code = s.charCodeAt(pos)
      const child = node.children.get(code)
      if (!child) {
        node.children.set(code, { label: s.slice(pos), terminal: id, children: undefined })
        return id
      }
      const label = child.label
      let common = 1
      while (
        common < label.length &&
        pos + common < s.length &&
        label.charCodeAt(common) === s.charCodeAt(pos + common)
      )
        common++
      if (common === label.length) {
        node = child
        pos += common
        continue
      }
      // Split the edge: a new node for the shared part, the old child below it.
      const mid: RadixNode = { label: label.slice(0, common), terminal: -1, children: new Map() }
      child.label = label.slice(common)
      mid.children!.set(child.label.charCodeAt(0), child)
      node.children.set(code, mid)
      node = mid
      pos += common
    }
  }

  /** Flattens the nodes (breadth first, children by code) into arrays. Call once after the last add. */
  *seal(): BuildSteps {
    const order: RadixNode[] = [this.root]
    const depthOf = new Map<RadixNode, number>([[this.root, this.root.terminal >= 0 ? 1 : 0]])
    const records: number[] = []
    const table: number[] = []
    const codes: number[] = []
    const kids: number[] = []
    for (let i = 0; i < order.length; i++) {
      if ((i & 511) === 511) yield
      const node = order[i]!
      this.labels.push(this.suffix ? reverse(node.label) : node.label)
      const d = depthOf.get(node)!
      if (d > this.depth) this.depth = d
      const children = [...(node.children ?? [])].sort((a, b) => a[0] - b[0])
      const ids = children.map(([, child]) => {
        depthOf.set(child, d + (child.terminal >= 0 ? 1 : 0))
        order.push(child)
        return order.length - 1
      })
      const min = children.length > 0 ? children[0]![0] : 0
      const span = children.length > 0 ? children[children.length - 1]![0] - min + 1 : 0
      if (span > 0 && span <= 2 * children.length + 6) {
        // Dense: one slot per code between the lowest and the highest child.
        records.push(node.terminal, node.label.length, min, span, table.length, 0, 0, 0)
        const at = table.length
        for (let k = 0; k < span; k++) table.push(-1)
        children.forEach(([code], k) => {
          table[at + code - min] = ids[k]!
        })
      } else {
        records.push(node.terminal, node.label.length, 0, 0, codes.length, children.length, 0, 0)
        children.forEach(([code], k) => {
          codes.push(code)
          kids.push(ids[k]!)
        })
      }
    }
    this.records = Int32Array.from(records)
    this.table = Int32Array.from(table)
    this.codes = Uint16Array.from(codes)
    this.kids = Int32Array.from(kids)
    this.root.children = undefined
    this.ids.clear()
  }

  /** Writes into `passed` the operands that are prefixes (suffixes) of `s`; returns how many. */
  walk(s: string, passed: Int32Array): number {
    const records = this.records
    if (records.length === 0) return 0
    const table = this.table
    let n = 0
    if (records[0]! >= 0) passed[n++] = records[0]!
    let node = 0
    let steps = 0
    // One edge per step: the child is found by the next character read, directly in `table` for dense
    // nodes; a longer edge is then compared whole. Two loops: suffixes read from the end.
    if (this.suffix) {
      let end = s.length
      while (end > 0) {
        const r = node * RECORD
        const span = records[r + 3]!
        const code = s.charCodeAt(end - 1)
        let child: number
        if (span > 0) {
          const d = code - records[r + 2]!
          child = d >= 0 && d < span ? table[records[r + 4]! + d]! : -1
        } else child = this.scan(r, code)
        steps++
        if (child < 0) break
        const c = child * RECORD
        const length = records[c + 1]!
        if (length > 1 && !s.endsWith(this.labels[child]!, end)) break
        end -= length
        const t = records[c]!
        if (t >= 0) passed[n++] = t
        node = child
      }
    } else {
      let pos = 0
      const size = s.length
      while (pos < size) {
        const r = node * RECORD
        const span = records[r + 3]!
        const code = s.charCodeAt(pos)
        let child: number
        if (span > 0) {
          const d = code - records[r + 2]!
          child = d >= 0 && d < span ? table[records[r + 4]! + d]! : -1
        } else child = this.scan(r, code)
        steps++
        if (child < 0) break
        const c = child * RECORD
        const length = records[c + 1]!
        if (length > 1 && !s.startsWith(this.labels[child]!, pos)) break
        pos += length
        const t = records[c]!
        if (t >= 0) passed[n++] = t
        node = child
      }
    }
    this.steps = steps
    return n
  }

  /** A sparse node's child by code (`r`: the node's record), or -1. */
  private scan(r: number, code: number): number {
    let lo = this.records[r + 4]!
    const hi = lo + this.records[r + 5]!
    const codes = this.codes
    if (hi - lo <= 8) {
      for (; lo < hi; lo++) if (codes[lo] === code) return this.kids[lo]!
      return -1
    }
    let h = hi
    while (lo < h) {
      const mid = (lo + h) >>> 1
      if (codes[mid]! < code) lo = mid + 1
      else h = mid
    }
    return lo < hi && codes[lo] === code ? this.kids[lo]! : -1
  }
}

/** Ints per flattened radix node. */
const RECORD = 8
