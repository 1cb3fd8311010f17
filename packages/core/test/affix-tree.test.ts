import { describe, expect, it } from 'vitest'
import { AffixTree } from '../src/events/affix-tree.ts'
import { runSteps } from '../src/events/build-steps.ts'
import { seededRandom } from '../src/testing.ts'

/** The ids `walk` reports for `s`, sorted. */
function walked(tree: AffixTree, s: string): number[] {
  const passed = new Int32Array(tree.depth + 1)
  const n = tree.walk(s, passed)
  return [...passed.subarray(0, n)].sort((a, b) => a - b)
}

function build(operands: string[], suffix: boolean): { tree: AffixTree; ids: number[] } {
  const tree = new AffixTree(suffix)
  const ids = operands.map((o) => tree.add(o))
  runSteps(tree.seal())
  return { tree, ids }
}

describe('AffixTree', () => {
  it('gives each distinct operand one id and walks to exactly the operands that are prefixes', () => {
    const { tree, ids } = build(['ab', 'abc', 'x', 'ab', '', 'abd'], false)
    expect(ids).toEqual([0, 1, 2, 0, 3, 4])
    expect(tree.size).toBe(5)
    expect(tree.depth).toBe(3) // '' → 'ab' → 'abc'
    expect(walked(tree, 'abcd')).toEqual([0, 1, 3])
    expect(walked(tree, 'abd')).toEqual([0, 3, 4])
    expect(walked(tree, 'a')).toEqual([3])
    expect(walked(tree, '')).toEqual([3])
    expect(walked(tree, 'xyz')).toEqual([2, 3])
  })

  it('reads suffixes from the end (by UTF-16 code unit, as endsWith)', () => {
    const { tree } = build(['.com', 'a.com', 'm', '😀'], true)
    expect(walked(tree, 'mail.com')).toEqual([0, 2])
    expect(walked(tree, 'a.com')).toEqual([0, 1, 2])
    expect(walked(tree, 'x😀')).toEqual([3])
    expect(walked(tree, '\uDE00')).toEqual([])
  })

  it('counts the edges a walk follows', () => {
    const { tree } = build(['abc', 'abd'], false)
    tree.walk('abcabc', new Int32Array(tree.depth + 1))
    // root → "ab" → "c", then no child below "abc".
    expect(tree.steps).toBe(3)
  })

  it('an empty tree passes nothing', () => {
    const { tree } = build([], false)
    expect(tree.walk('anything', new Int32Array(1))).toBe(0)
  })

  it('agrees with startsWith / endsWith on random operands, dense and sparse nodes alike', () => {
    const r = seededRandom(12)
    const alphabet = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'z', '😀']
    const word = (max: number) => Array.from({ length: r.int(max) }, () => r.pick(alphabet)).join('')
    for (const suffix of [false, true]) {
      const operands = Array.from({ length: 300 }, () => word(6))
      const { tree, ids } = build(operands, suffix)
      for (let i = 0; i < 500; i++) {
        const s = word(10)
        const expected = new Set<number>()
        operands.forEach((o, k) => {
          if (suffix ? s.endsWith(o) : s.startsWith(o)) expected.add(ids[k]!)
        })
        expect(walked(tree, s), `${suffix ? 'suffix' : 'prefix'} walk of ${s}`).toEqual(
          [...expected].sort((a, b) => a - b),
        )
      }
    }
  })
})
