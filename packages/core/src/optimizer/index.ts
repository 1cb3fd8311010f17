export { busiestSeconds, SecondHistogram } from './histogram.ts'
export {
  type FleetPeak,
  type FleetPlan,
  FleetPlanner,
  type Hotspot,
  type PlannerOptions,
  type PlanOptions,
  planFleet,
  planFleetNow,
  type Suggestion,
} from './plan.ts'
export {
  addProfile,
  type FireProfile,
  fireProfile,
  inRunsOrRanges,
  type OptimizerSchedule,
  ProfileCache,
  pointCount,
  profileSize,
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
