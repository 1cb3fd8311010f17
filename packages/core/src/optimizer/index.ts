export { busiestSeconds, SecondHistogram } from './histogram.ts'
export {
  type FleetPeak,
  type FleetPlan,
  type Hotspot,
  type PlanOptions,
  planFleet,
  planFleetNow,
  type Suggestion,
} from './plan.ts'
export {
  addProfile,
  type FireProfile,
  fireProfile,
  type OptimizerSchedule,
  ProfileCache,
  shifted,
} from './profile.ts'
export {
  checkSuggestion,
  latestSecond,
  MINUTE_LAST_MS,
  type SuggestionProblem,
  singleSecond,
  withSecond,
} from './seconds.ts'
