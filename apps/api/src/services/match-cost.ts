import { AppError, isMatchBudgetExceeded } from '@punctual/core'

/**
 * `match()`, or, when it spends the work budget (core match-budget.ts), the API's answer: 422
 * SCHED_ERR_EVENT_TOO_COSTLY, thrown before the caller writes anything. Only the product of a body's arrays
 * and the multi-key sub-patterns of filters can get there (every other cost is bounded by the 1 MiB body).
 * `against` names what the body was matched against, for the detail.
 */
export function matchOrRefuse<T>(against: string, match: () => T, onRefused?: () => void): T {
  try {
    return match()
  } catch (err) {
    if (!isMatchBudgetExceeded(err)) throw err
    onRefused?.()
    const where = err.path && err.path.length > 0 ? `, most of it at \`${err.path.join('.')}\`` : ''
    throw new AppError(
      'SCHED_ERR_EVENT_TOO_COSTLY',
      `Matching this body against ${against} would cost more than the matching work budget allows: the ` +
        `body's arrays × the filters' multi-key sub-patterns were too costly to match${where} (e.g. array ` +
        'elements each listing many values at the anchor key of sub-patterns). Nothing was started or ' +
        'recorded; send smaller arrays, or fewer values per element.',
      undefined,
      { cause: err },
    )
  }
}
