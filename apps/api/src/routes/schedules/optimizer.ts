import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { OptimizerApplyBody, OptimizerApplyResult, OptimizerQuery, OptimizerReport } from '@punctual/core'
import type { FastifyReply } from 'fastify'
import { optimizerReportJson } from '../../services/optimizer.ts'
import { errors, type TypeBoxApp } from '../route-helpers.ts'

/**
 * /api/schedules/optimizer: the fleet optimizer (services/optimizer.ts, core optimizer/). Static paths,
 * registered by the schedules plugin before its `/:id` routes.
 */
const optimizerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  reportRoute(app)
  applyRoute(app)
}

export default optimizerRoutes

function reportRoute(app: TypeBoxApp) {
  app.get(
    '/optimizer',
    {
      schema: {
        tags: ['schedules'],
        description: [
          "Where the tenant's active schedules crowd their workers, and how to spread them. Every fire in the",
          'window [from, to) (now, to the second, plus `hours`) comes from the cron engine, daylight saving',
          "included; a fire starts where its schedule's stable jitter puts it (the same delay the scheduler",
          'applies), except in the minutes of an every-second schedule, counted at their nominal seconds (one',
          'start per second either way). `hotspots`: the 20 busiest seconds, with at most 10 of their schedules.',
          '`suggestions` (the most effective first, at most 1,000 of `suggestionsTotal`): move a schedule to',
          'another second of the same minute (a 5-field expression becomes the same 6-field one), never one',
          'whose `metadata.pinned` is true and never past its minute with its jitter; `peakAfterSuggestions` is',
          'the exact peak after all of them. `patterns` (the most runs first, at most 1,000 of `patternsTotal`):',
          'per schedule over its executions created in the last 7 days (at most its newest 1,000), from',
          'aggregates a worker refreshes at least every minute (`generatedAt`): runs that started and finished,',
          'nearest-rank p50/p95 of finishedAt − startedAt, failureRate = dead / runs, lateP95Ms = p95 of',
          "startedAt − dueAt (a fire's jitter is not lateness), overlapRisk = p95 duration ≥ the shortest gap between",
          'two of its next fires. Start/end dates are honoured; maxExecutions is not.',
        ].join(' '),
        querystring: OptimizerQuery,
        response: { 200: OptimizerReport, ...errors },
      },
    },
    async (request, reply) => {
      const report = await app.services.optimizer.report(request.user.tenant, request.query.hours ?? 24)
      // Written by optimizerReportJson (its entries' JSON kept between calls), in the shape of the schema.
      return (reply as FastifyReply).type('application/json; charset=utf-8').send(optimizerReportJson(report))
    },
  )
}

function applyRoute(app: TypeBoxApp) {
  app.post(
    '/optimizer/apply',
    {
      config: { minRole: 'editor' },
      schema: {
        tags: ['schedules'],
        description: [
          'Applies suggestions as GET returned them (at most 1,000 a call), each an ordinary audited schedule',
          'update (version bumped, next fire and due index rewritten). A schedule no longer at the',
          "suggestion's `version` is left alone and listed in `conflicts`. 422 SCHED_ERR_SUGGESTION_INVALID,",
          'naming each field, when a suggestion names no schedule of the tenant, a pinned one, one twice, or',
          'would move a fire out of its minute: nothing is written then. `peakBefore` / `peakAfter`: the busiest',
          'second of the next 24 h before and after. `dryRun`: the same answer, nothing written.',
        ].join(' '),
        body: OptimizerApplyBody,
        response: { 200: OptimizerApplyResult, ...errors },
      },
    },
    async (request) => app.services.optimizer.apply(request.user, request.body),
  )
}
