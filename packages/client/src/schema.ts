// Generated from the API's OpenAPI document by packages/client/scripts/generate.ts: do not edit.
// Regenerate with `pnpm --filter @punctual/client generate`; a test fails while this file is stale.

export interface paths {
    "/api/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List API keys
         * @description The tenant's API keys, oldest first (never a key itself).
         */
        get: operations["listApiKeys"];
        put?: never;
        /**
         * Create an API key
         * @description Creates an API key acting for the tenant with `role` (send it as `Authorization: Bearer <key>`). The `key` is shown only in this answer; the API keeps only its SHA-256. A name already used in the tenant is 409; an `expiresAt` in the past is 400. Audited as `apikey.created`.
         */
        post: operations["createApiKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/api-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke an API key
         * @description Revokes the key: every API replica refuses it within 5 s (401, as any bad credential). Audited as `apikey.revoked`.
         */
        delete: operations["revokeApiKey"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The audit log
         * @description Who did what in the token's tenant, newest first (admin only; viewer and editor get 403). Each entry is written in the same transaction as the change it records.
         */
        get: operations["listAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/cron/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * The next fire times of a cron expression
         * @description The next `count` fire instants strictly after `from` (default now), in UTC; 422 for an invalid expression or zone.
         */
        post: operations["previewCron"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Publish an event to event triggers
         * @description Publishes an event in the tenant (editor). Every enabled event trigger whose eventType selects `type` (exact, `prefix.*` glob or `*`) and whose filter matches `data` starts its workflow with `input` = `data`, with the trigger's priority and retry policy: 202 `{ eventId, executions }` once the executions are committed in Postgres (with no matching trigger `executions` is empty). An `id` already published in the last 24 h starts nothing and answers 200 with the executions the first one started and `deduplicated: true`; ids are remembered in Postgres, so this survives the loss of Redis, and a receipt older than 24 h no longer deduplicates. Trigger changes reach this route within TRIGGER_CACHE_TTL_MS (default 1 s; a disabled or deleted trigger never starts anything once its change is acknowledged). 422 `SCHED_ERR_EVENT_TOO_COSTLY`: matching `data` against the tenant's triggers would spend the matching work budget (its arrays × the filters' multi-key sub-patterns, e.g. elements each listing many anchor values); nothing is started and no receipt kept, so the same `id` may be sent again.
         */
        post: operations["publishEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/executions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List executions
         * @description The tenant's executions, newest first (ids are UUIDv7), paginated by id; filters combine.
         */
        get: operations["listExecutions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/executions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get an execution */
        get: operations["getExecution"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Re-prioritise a waiting execution
         * @description Re-prioritises a `queued` or `retrying` execution (0-9, higher first): written to Postgres and to the Redis queue in one step (Redis down: 503, nothing changed); a ready one takes its new place in its tenant's line at once, a waiting one uses it when it becomes ready. Any other status is 409.
         */
        patch: operations["updateExecutionPriority"];
        trace?: never;
    };
    "/api/executions/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel an execution
         * @description A `queued` or `retrying` execution becomes `cancelled` at once (answered with its new state). A `running` one is answered as it is: the request is recorded and sent to the worker running it, which aborts the in-flight step (HTTP request cut, delay ended) and marks it `cancelled`; if Redis cannot carry that message the request is undone and answered 503. Cancelling it again while it runs is harmless. A finished execution (succeeded, dead, skipped, missed, cancelled) is 409.
         */
        post: operations["cancelExecution"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/executions/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Redrive a dead execution
         * @description Redrives a `dead` execution as a new `redrive` execution: same workflow, input, priority, retry policy and schedule/trigger, `retryOf` = the dead one, `scheduledFor` = the request time; its first attempt is 1. Any other status is 409. Like a trigger, the answer is 202 once the row is committed, even if Redis cannot take it at that moment (the reconciler queues it).
         */
        post: operations["retryExecution"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/executions/redrive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Redrive dead executions in bulk
         * @description The dead-letter queue in bulk: a `redrive` execution for each `dead` one the filter matches that was never redriven before (by this route or by `retry`; marked on the dead row, so deleting or losing the redrive changes nothing), oldest first, at most 10,000 a call. `matched` counts all such before the call; `finishedTo` defaults to the request time and is echoed: repeating the call with it works through the backlog until `matched` is 0 (redrives that die later finish after it). A filter with no field is 400. `dryRun: true` answers 200 and only counts (`executionIds` empty). Audited with the count (`execution.bulk_redriven`).
         */
        post: operations["redriveExecutions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/executions/throughput": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Executions ended per minute over the last minutes
         * @description How many of the tenant's executions ended (succeeded, dead, cancelled) in each of the last `minutes` whole minutes (default 60, at most 1440), the current minute last, zeros included: the figure the console's overview charts. Counted by `finishedAt` among executions created at most 2 h before the window.
         */
        get: operations["getExecutionThroughput"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Who the credential acts as (tenant and role)
         * @description The tenant, role and subject of the credential sent (a JWT or an API key): any role may read it. The console signs in with it.
         */
        get: operations["getCaller"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/queue": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The tenant's waiting executions in order
         * @description The tenant's waiting executions: first the ready ones in the order workers take them (priority 9 first, then the earliest `scheduledFor`), then the delayed ones (retry backoff, jitter, fires recorded ahead) by `availableAt`. `blockedBy` marks a ready one that waits for a slot: its workflow at `maxConcurrency` (`workflow_concurrency`), the tenant at `TENANT_MAX_RUNNING` (`tenant_concurrency`), or a fire held by its schedule's `buffer_one` overlap policy (`buffer_one`). Cursor-paginated (`limit` default 50, max 500).
         */
        get: operations["listQueue"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List schedules */
        get: operations["listSchedules"];
        put?: never;
        /**
         * Create a schedule
         * @description Creates a schedule. `warnings` lists conflicts without refusing the create.
         */
        post: operations["createSchedule"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a schedule */
        get: operations["getSchedule"];
        /**
         * Update a schedule (partial, as PATCH)
         * @description Partial update (PUT and PATCH alike). A changed expression, zone or dates recompute nextRunAt at once. Setting `enabled: false` stops like a pause: no fire starts after the 200, and fires whose time had come but that had not started end `skipped` with `error.reason: "paused"`.
         */
        put: operations["replaceSchedule"];
        post?: never;
        /**
         * Delete a schedule
         * @description No fire starts after the 204 returns: fires whose time had come but that had not started (waiting for jitter, held by buffer_one, in a backlog, claimed ahead by a worker) end `skipped` with `error.reason: "deleted"`; an execution already running goes on (cancel it to stop it).
         */
        delete: operations["deleteSchedule"];
        options?: never;
        head?: never;
        /**
         * Update a schedule
         * @description Partial update (PUT and PATCH alike). A changed expression, zone or dates recompute nextRunAt at once. Setting `enabled: false` stops like a pause: no fire starts after the 200, and fires whose time had come but that had not started end `skipped` with `error.reason: "paused"`.
         */
        patch: operations["updateSchedule"];
        trace?: never;
    };
    "/api/schedules/{id}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A schedule's executions
         * @description The schedule's executions of every kind (fire, manual, redrive), newest first, paginated by id. 404 when the schedule does not exist in the tenant (the history of a deleted schedule stays readable through GET /api/executions?scheduleId=).
         */
        get: operations["listScheduleHistory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Pause a schedule
         * @description No fire starts after the 200 returns; fires that fall in the pause are neither run nor recorded, and fires whose time had come but that had not started (waiting for jitter, held by buffer_one, in a backlog, claimed ahead by a worker) end `skipped` with `error.reason: "paused"`. An execution already running goes on, retries included (cancel it to stop it).
         */
        post: operations["pauseSchedule"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resume a paused schedule
         * @description The next fire is the first one after the resume.
         */
        post: operations["resumeSchedule"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules/{id}/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A schedule's next runs and last execution
         * @description `lastExecution`: the newest execution of any kind. `successRate`: succeeded / (succeeded + dead + cancelled) over fire and manual executions (skipped and missed fires never ran and are not counted; redrives are not counted), null when none finished. `averageDurationMs`: mean finishedAt − startedAt of the succeeded fire and manual executions. `executionCount`: fires that started running.
         */
        get: operations["getScheduleStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules/{id}/trigger": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run a schedule's workflow now
         * @description Runs the schedule's workflow now, outside the cron, as a `manual` execution: `scheduledFor` = the request time, `input` shallow-merged over the schedule's input, priority and retry policy from the schedule. It ignores overlapPolicy and does not count toward maxExecutions; a paused, completed or expired schedule may be triggered too. 202 once the execution row is committed in Postgres: if Redis cannot take it at that moment the answer is still 202, and the reconciler queues the row when Redis is back.
         */
        post: operations["triggerSchedule"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules/optimizer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Fleet hotspots, suggestions that spread them, execution patterns
         * @description Where the tenant's active schedules crowd their workers, and how to spread them. Every fire in the window [from, to) (now, to the second, plus `hours`) comes from the cron engine, daylight saving included; a fire starts where its schedule's stable jitter puts it (the same delay the scheduler applies), except in the minutes of an every-second schedule, counted at their nominal seconds (one start per second either way). `hotspots`: the 20 busiest seconds, with at most 10 of their schedules. `suggestions` (the most effective first, at most 1,000 of `suggestionsTotal`): move a schedule to another second of the same minute (a 5-field expression becomes the same 6-field one), never one whose `metadata.pinned` is true and never past its minute with its jitter; `peakAfterSuggestions` is the exact peak after all of them. `patterns` (the most runs first, at most 1,000 of `patternsTotal`): per schedule over its executions created in the last 7 days (at most its newest 1,000), from aggregates a worker refreshes at least every minute (`generatedAt`): runs that started and finished, nearest-rank p50/p95 of finishedAt − startedAt, failureRate = dead / runs, lateP95Ms = p95 of startedAt − dueAt (a fire's jitter is not lateness), overlapRisk = p95 duration ≥ the shortest gap between two of its next fires. Start/end dates are honoured; maxExecutions is not.
         */
        get: operations["getOptimizerReport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules/optimizer/apply": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Apply optimizer suggestions as audited schedule updates
         * @description Applies suggestions as GET returned them (at most 1,000 a call), each an ordinary audited schedule update (version bumped, next fire and due index rewritten). A schedule no longer at the suggestion's `version` is left alone and listed in `conflicts`. 422 SCHED_ERR_SUGGESTION_INVALID, naming each field, when a suggestion names no schedule of the tenant, a pinned one, one twice, or would move a fire out of its minute: nothing is written then. `peakBefore` / `peakAfter`: the busiest second of the next 24 h before and after. `dryRun`: the same answer, nothing written.
         */
        post: operations["applyOptimizerSuggestions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The tenant's schedule figures
         * @description Tenant-wide figures. `schedules`: the tenant's schedules by state. `lastHour` / `lastDay`: the tenant's executions created in that window, by status. `firingLagMs`: percentiles of startedAt − scheduledFor of fire executions created in the last hour (null when none started). `queue`: the tenant's own depths, nothing of other tenants: `due`, `overdue` and `dead` from its rows in Postgres; `ready`, `running` and `retrying` from its own counters in Redis (read without scanning other tenants' entries). `workersAlive`: workers whose heartbeat is under 15 s old (the deployment's). With Redis unreachable the Redis-side figures are null and the rest is still answered.
         */
        get: operations["getScheduleStats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/secrets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List tenant secrets (names only)
         * @description The tenant's secrets, oldest first: names and allowedHosts, never a value.
         */
        get: operations["listSecrets"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/secrets/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Create or replace a tenant secret
         * @description Creates or replaces the tenant secret `name`, usable in http steps as `{{secrets.NAME}}` (url, header values, body), resolved by workers at run time only. The value is sealed at rest and never shown again; with `allowedHosts` it is sent to those hosts only. Audited as `secret.created` / `secret.updated`.
         */
        put: operations["putSecret"];
        post?: never;
        /**
         * Delete a tenant secret no workflow uses
         * @description Deletes the secret: 409 while a workflow refers to it (change those workflows first). Audited as `secret.deleted`.
         */
        delete: operations["deleteSecret"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/signing-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The outbound signing secret
         * @description The secret every http step request of the tenant is signed with (Standard Webhooks: `webhook-id` = `<execution id>.<step name>`, `webhook-timestamp`, `webhook-signature`), created on first use. Receivers verify with it; after a rotation the previous one also signs for 24 h.
         */
        get: operations["getSigningSecret"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/signing-secret/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate the outbound signing secret
         * @description A new signing secret, answered here. For 24 h both the new and the previous secret sign (two signatures in `webhook-signature`); a second rotation within them drops the older one. Workers pick up a rotation within WORKER_SECRET_CACHE_TTL_MS. Audited as `signing_secret.rotated`.
         */
        post: operations["rotateSigningSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/triggers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List triggers
         * @description Oldest first, cursor-paginated; `type` and `workflowId` filter. Secrets are never listed.
         */
        get: operations["listTriggers"];
        put?: never;
        /**
         * Create a trigger
         * @description Creates an event trigger (`eventType` required) or a webhook trigger (`eventType` optional, matched against the delivery's event name; `scheme`, `rateLimitPerMinute`). Both take an `inputTemplate` that shapes the workflow input. A webhook trigger answers its `url` and its signing `secret`, shown only here and by rotate-secret. A malformed `filter` is 422 naming each `/filter/...` JSON pointer; an eventType of bad syntax is 422 `SCHED_ERR_EVENT_TYPE_INVALID`; a template with an unknown placeholder root, an excluded header, over 64 KiB or 32 levels is 422 `SCHED_ERR_TEMPLATE_INVALID` naming the path; an unknown `workflowId` is 422; a name already used in the tenant is 409. Past a quota (TENANT_MAX_TRIGGERS, TENANT_MAX_FILTER_MATCHERS, TENANT_MAX_UNANCHORED_SUBPATTERNS, TENANT_MAX_SUBPATTERNS_PER_ANCHOR: see `filter`) the create is 422 `SCHED_ERR_QUOTA_EXCEEDED` naming the quota, and nothing is written.
         */
        post: operations["createTrigger"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/triggers/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get a trigger
         * @description The trigger without its secret.
         */
        get: operations["getTrigger"];
        /**
         * Replace a trigger
         * @description Replaces the definition: fields left out return to their defaults (filter, inputTemplate and a webhook trigger's eventType none, scheme standard, rateLimitPerMinute 600, default retryPolicy, priority 5, enabled). `type` must be the trigger’s own (422 otherwise); the secret is kept.
         */
        put: operations["replaceTrigger"];
        post?: never;
        /**
         * Delete a trigger
         * @description Deliveries and events after the 204 start nothing; past executions stay in the history.
         */
        delete: operations["deleteTrigger"];
        options?: never;
        head?: never;
        /**
         * Change fields of a trigger
         * @description Changes the fields given (not `type`). `filter: null` removes the filter, `inputTemplate: null` the template, `eventType: null` a webhook trigger's eventType.
         */
        patch: operations["updateTrigger"];
        trace?: never;
    };
    "/api/triggers/{id}/rotate-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate a webhook trigger's signing secret
         * @description Webhook triggers: generates a new signing secret and answers it (once). The previous secret keeps verifying deliveries until `previousSecretExpiresAt` (WEBHOOK_SECRET_GRACE_MS, default 24 h), so senders can switch without downtime; rotating again inside that window retires the older one at once. An event trigger has no secret: 409.
         */
        post: operations["rotateTriggerSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live worker processes
         * @description The live worker processes of the deployment (not per tenant), from their heartbeats in Redis: workers beat every 5 s and one silent for 15 s is left out. Any role may read it; 503 while Redis is unreachable.
         */
        get: operations["listWorkers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workflows": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List workflows */
        get: operations["listWorkflows"];
        put?: never;
        /** Create a workflow */
        post: operations["createWorkflow"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workflows/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a workflow */
        get: operations["getWorkflow"];
        /**
         * Replace a workflow
         * @description Replaces the workflow (fields left out are cleared).
         */
        put: operations["replaceWorkflow"];
        post?: never;
        /**
         * Delete a workflow no schedule or trigger uses
         * @description Deleting a workflow that schedules or triggers still use is 409.
         */
        delete: operations["deleteWorkflow"];
        options?: never;
        head?: never;
        /** Change fields of a workflow */
        patch: operations["updateWorkflow"];
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process answers */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/hooks/{triggerId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Receive a signed webhook delivery
         * @description Receives a signed webhook delivery for a webhook trigger; no JWT. Body: any JSON object (max 1 MiB), verified over its raw bytes. `standard` scheme: headers `webhook-id`, `webhook-timestamp` (unix seconds, within 5 minutes of now) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, several space-separated allowed). `github` scheme: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>` keyed with the whole secret, and `X-GitHub-Delivery`. During the grace period after a rotation the previous secret is accepted too. Checked in this order: 413 over the body limit (nothing verified), 404 unknown, disabled or non-webhook trigger (or a malformed id), 401 missing/wrong signature or stale timestamp (counted in punctual_api_webhook_verifications_total and audited without the body), 415 a declared content type other than JSON, 400 a body that is not JSON, 400 `SCHED_ERR_JSON_UNSUPPORTED` naming the path of JSON nested deeper than 32 levels or holding a NUL or an unpaired surrogate (counted in punctual_api_webhook_body_rejections_total by reason), 400 a body that is not a JSON object, 429 over the trigger's rateLimitPerMinute (with Retry-After; only verified deliveries count), then the delivery id: accepted in the last 24 h → 200 `{ deduplicated: true }`, nothing started (remembered in Postgres). A delivery whose event name (GitHub: `X-GitHub-Event`; standard: the body's top-level string `type`) the trigger's `eventType` does not select, or whose body does not match the trigger's filter → 200 `{ filtered: true }`, nothing started (its id is remembered); one too costly to match against it (the matching work budget) → 422 `SCHED_ERR_EVENT_TOO_COSTLY`, nothing started or remembered, counted in punctual_api_webhook_body_rejections_total{reason="too-costly"}. A trigger's `inputTemplate` is resolved once here (422 `SCHED_ERR_INPUT_TOO_LARGE` when its input would pass 1 MiB, nothing started or remembered). Otherwise 202 `{ executionId }` once the execution (kind `webhook`, input = the body or the resolved template) is committed in Postgres as `queued` and its Redis enqueue sent (its reply is not awaited); if Redis is down at that moment it is still 202 and the reconciler queues it.
         */
        post: operations["deliverWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics of this API process */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: Postgres and Redis answer */
        get: operations["getReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * ApiKey
         * @description An API key (never the key itself, which only the create answer shows)
         */
        ApiKey: {
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            expiresAt: string | null;
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            id: string;
            /**
             * Format: date-time
             * @description updated at most once a minute, on every replica
             */
            lastUsedAt: string | null;
            name: string;
            /** @description the first characters of the key, to recognise it (`pk_` + 8) */
            prefix: string;
            /** @description what the key may do in its tenant, as the role claim of a token */
            role: "viewer" | "editor" | "admin";
        };
        /** ApiKeyCreate */
        ApiKeyCreate: {
            /**
             * Format: date-time
             * @description refused after this time (401); in the future
             */
            expiresAt?: string;
            /** @description unique within the tenant */
            name: string;
            /** @description what the key may do in its tenant, as the role claim of a token */
            role: "viewer" | "editor" | "admin";
        };
        /**
         * ApiKeyWithSecret
         * @description A new API key, with the key shown this once
         */
        ApiKeyWithSecret: {
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            expiresAt: string | null;
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            id: string;
            /** @description `pk_` + base64url of 32 random bytes: send it as `Authorization: Bearer <key>`. Shown only here; stored only as its SHA-256 */
            key: string;
            /**
             * Format: date-time
             * @description updated at most once a minute, on every replica
             */
            lastUsedAt: string | null;
            name: string;
            /** @description the first characters of the key, to recognise it (`pk_` + 8) */
            prefix: string;
            /** @description what the key may do in its tenant, as the role claim of a token */
            role: "viewer" | "editor" | "admin";
        };
        /**
         * AuditEntry
         * @description One audit log entry
         */
        AuditEntry: {
            /** @description `<target>.<verb>`: workflow.created|updated|deleted, schedule.created|updated|deleted|paused|resumed, trigger.created|updated|deleted|secret_rotated, apikey.created|revoked, secret.created|updated|deleted, signing_secret.rotated, schedule.triggered (a manual run), execution.cancelled, execution.redriven, webhook.verification_failed, chain.stopped (a chain of system events looped back onto itself more than 10 times in a row; target: the trigger not started) */
            action: string;
            /** @description who: the token's `sub`; `apikey:<id>` for an API key; `webhook:<ip>` for a failed webhook verification (no token); `system` for the system's own acts (chain.stopped) */
            actor: string;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            at: string;
            /** @description what changed (e.g. `fields` and the new `version` of an update); never secrets or request bodies */
            details: {
                [key: string]: unknown;
            };
            /**
             * Format: uuid
             * @description UUIDv7: id order is time order
             */
            id: string;
            targetId: string | null;
            /** @description workflow, schedule, trigger, apikey, execution, secret or signing_secret */
            targetType: string;
            tenant: string;
        };
        /**
         * Caller
         * @description Who the credential acts as: its tenant and role
         */
        Caller: {
            role: "viewer" | "editor" | "admin";
            /** @description the token's `sub`, or `apikey:<id>` for an API key */
            sub: string;
            tenant: string;
        };
        /** CronPreview */
        CronPreview: {
            nextRuns: string[];
            wildcard: boolean;
        };
        /** CronPreviewBody */
        CronPreviewBody: {
            /** @default 5 */
            count?: number;
            expression: string;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            from?: string;
            timezone?: string;
        };
        /** DelayStep */
        DelayStep: {
            ms: number;
            name: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "delay";
        };
        /** EventAccepted */
        EventAccepted: {
            /** @description The `id` sent, or a generated UUIDv7 */
            eventId: string;
            /** @description One execution per matching trigger, in trigger id order */
            executions: string[];
        };
        /** EventBody */
        EventBody: {
            /** @description A JSON object: matched against each trigger's filter, and the `input` of every execution it starts. */
            data: {
                [key: string]: unknown;
            };
            /** @description Your idempotency key, unique per tenant: the same id again within 24 h starts nothing and answers the executions the first one started. Without it the event gets a new UUIDv7 and is never deduplicated. */
            id?: string;
            /** @description Dot-separated segments of letters, digits, `_` and `-` (`order.created`). Selects the event triggers whose eventType is this type exactly, a prefix glob of it (`order.*`), or `*`. */
            type: string;
        };
        /**
         * Execution
         * @description One run of a workflow, with all its attempts
         */
        Execution: {
            attempt: number;
            /**
             * Format: uuid
             * @description The execution whose `execution.succeeded` or `execution.dead` system event started this one through an event trigger; null otherwise
             */
            causedBy: string | null;
            /** @description Links from the root of the chain of system events: 0 unless `causedBy` is set, then the depth of `causedBy` + 1. A chain that loops back onto a workflow it already ran more than 10 times in a row is stopped (audit action `chain.stopped`). */
            chainDepth: number;
            /**
             * Format: date-time
             * @description When it was due to start: a fire's scheduledFor plus its stable jitter (as the scheduler recorded it); scheduledFor for every other kind. A start more than 1 s after dueAt is late.
             */
            dueAt: string;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            enqueuedAt: string | null;
            error: components["schemas"]["ExecutionError"] | null;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            finishedAt: string | null;
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            id: string;
            input: {
                [key: string]: unknown;
            };
            /** @enum {unknown} */
            kind: "fire" | "manual" | "redrive" | "event" | "webhook";
            /** @description started by POST /api/schedules/:id/trigger */
            manual: boolean;
            priority: number;
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            retryOf: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            scheduledFor: string;
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            scheduleId: string | null;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            startedAt: string | null;
            /** @enum {unknown} */
            status: "queued" | "running" | "retrying" | "succeeded" | "dead" | "skipped" | "missed" | "cancelled";
            steps: components["schemas"]["StepOutcome"][];
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            triggerId: string | null;
            workerId: string | null;
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            workflowId: string;
        };
        /** ExecutionAccepted */
        ExecutionAccepted: {
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            executionId: string;
        };
        /**
         * ExecutionError
         * @description What went wrong: `message` always; `step` and `status` for a failed step; `reason` why a fire was skipped (`overlap`: overlapPolicy; `paused` / `deleted`: its schedule was paused, disabled or deleted before it started)
         */
        ExecutionError: {
            /** @enum {unknown} */
            class?: "retryable" | "permanent";
            message: string;
            /** @enum {unknown} */
            reason?: "overlap" | "paused" | "deleted";
            /** @description the failed step's HTTP status */
            status?: number;
            /** @description the step that failed */
            step?: string;
        };
        /**
         * ExecutionThroughput
         * @description The tenant's executions that ended (succeeded, dead, cancelled) in each whole minute from `from` to `to`, oldest first, zeros included; the current minute is the last, partial one
         */
        ExecutionThroughput: {
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            from: string;
            minutes: {
                /**
                 * Format: date-time
                 * @description ISO-8601 time with offset
                 */
                at: string;
                cancelled: number;
                dead: number;
                succeeded: number;
            }[];
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            to: string;
        };
        /** HttpStep */
        HttpStep: {
            /** @description any JSON value, sent as JSON */
            body?: unknown;
            headers?: {
                [key: string]: string;
            };
            method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";
            name: string;
            /** @description Statuses that fail the step *retryably* (default [408, 425, 429, "5xx"]); every other non-2xx status is a permanent failure: the execution is dead at once. Timeouts and connection errors are always retryable. */
            retryableStatuses?: (number | string)[];
            /** @default 30000 */
            timeoutMs?: number;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "http";
            /** @description http(s) URL; may use {{path}} placeholders */
            url: string;
        };
        /** OptimizerApplyBody */
        OptimizerApplyBody: {
            /** @default false */
            dryRun?: boolean;
            suggestions: {
                current?: {
                    cronExpression: string;
                    jitterMs: number;
                };
                reason?: string;
                /**
                 * Format: uuid
                 * @description UUID (v7, time-ordered)
                 */
                scheduleId: string;
                suggested: {
                    cronExpression?: string;
                    jitterMs?: number;
                };
                /** @description the version the suggestion was made for */
                version: number;
            }[];
        };
        /** OptimizerApplyResult */
        OptimizerApplyResult: {
            applied: {
                after: {
                    cronExpression: string;
                    jitterMs: number;
                    version: number;
                };
                before: {
                    cronExpression: string;
                    jitterMs: number;
                    version: number;
                };
                /**
                 * Format: uuid
                 * @description UUID (v7, time-ordered)
                 */
                scheduleId: string;
            }[];
            conflicts: string[];
            peakAfter: components["schemas"]["PeakFigure"];
            peakBefore: components["schemas"]["PeakFigure"];
        };
        /** OptimizerReport */
        OptimizerReport: {
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            from: string;
            /**
             * Format: date-time
             * @description when the patterns were last refreshed by a worker (the request time when never)
             */
            generatedAt: string;
            hotspots: {
                /**
                 * Format: date-time
                 * @description ISO-8601 time with offset
                 */
                at: string;
                fires: number;
                /** @description at most 10 of the schedules firing then */
                scheduleIds: string[];
            }[];
            patterns: {
                failureRate: number;
                lateP95Ms: number | null;
                overlapRisk: boolean;
                p50DurationMs: number | null;
                p95DurationMs: number | null;
                runs: number;
                /**
                 * Format: uuid
                 * @description UUID (v7, time-ordered)
                 */
                scheduleId: string;
            }[];
            patternsTotal: number;
            peak: components["schemas"]["PeakFigure"];
            peakAfterSuggestions: components["schemas"]["PeakFigure"];
            suggestions: {
                current: {
                    cronExpression: string;
                    jitterMs: number;
                };
                reason: string;
                /**
                 * Format: uuid
                 * @description UUID (v7, time-ordered)
                 */
                scheduleId: string;
                suggested: {
                    cronExpression?: string;
                    jitterMs?: number;
                };
                version: number;
            }[];
            suggestionsTotal: number;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            to: string;
        };
        /** PeakFigure */
        PeakFigure: {
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            at: string | null;
            /** @description fires starting in that second (jitter applied) */
            fires: number;
        };
        /** @description RFC 9457 problem details (application/problem+json); never larger than 16 KiB (long paths and messages are shortened) */
        Problem: {
            /** @description a stable `SCHED_ERR_*` name */
            code?: string;
            detail?: string;
            /** @description the failing fields, at most 20 (`detail` says when there were more) */
            errors?: {
                message: string;
                path: string;
            }[];
            /** @description the X-Request-Id of the request (also in the response header) */
            requestId: string;
            status: number;
            title: string;
            type: string;
        };
        /** QueueItem */
        QueueItem: {
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            availableAt: string;
            /** @enum {unknown} */
            blockedBy?: "workflow_concurrency" | "tenant_concurrency" | "buffer_one";
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            executionId: string;
            priority: number;
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            scheduleId: string | null;
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            triggerId: string | null;
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            workflowId: string;
        };
        /** RedriveBody */
        RedriveBody: {
            /** @description only count: 200 with matched, nothing redriven */
            dryRun?: boolean;
            filter: {
                /** @enum {unknown} */
                errorClass?: "retryable" | "permanent";
                /**
                 * Format: date-time
                 * @description ISO-8601 time with offset
                 */
                finishedFrom?: string;
                /**
                 * Format: date-time
                 * @description default: the request time; echoed, so that repeating the call with it ends at matched 0
                 */
                finishedTo?: string;
                /**
                 * Format: uuid
                 * @description UUID (v7, time-ordered)
                 */
                scheduleId?: string;
                /**
                 * Format: uuid
                 * @description UUID (v7, time-ordered)
                 */
                triggerId?: string;
                /**
                 * Format: uuid
                 * @description UUID (v7, time-ordered)
                 */
                workflowId?: string;
            };
        };
        /** RedriveResult */
        RedriveResult: {
            /** @description the redrive executions created, oldest dead one first */
            executionIds: string[];
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            finishedTo: string;
            /** @description dead executions matching the filter that were never redriven (by this route or retry), before this call */
            matched: number;
        };
        /**
         * Schedule
         * @description A schedule and its runtime state
         */
        Schedule: {
            catchupWindowMs: number;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            createdAt: string;
            cronExpression: string;
            enabled: boolean;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            endDate: string | null;
            executionCount: number;
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            id: string;
            input: {
                [key: string]: unknown;
            };
            jitterMs: number;
            maxExecutions: number | null;
            metadata: {
                [key: string]: unknown;
            };
            misfirePolicy: string;
            missedCount: number;
            name: string;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            nextRunAt: string | null;
            overlapPolicy: string;
            pausedNote: string | null;
            priority: number;
            retryPolicy: {
                [key: string]: unknown;
            };
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            startDate: string | null;
            state: "active" | "paused" | "completed" | "expired";
            timezone: string;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            updatedAt: string;
            version: number;
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            workflowId: string;
        };
        /** ScheduleCreate */
        ScheduleCreate: {
            /** @default 60000 */
            catchupWindowMs?: number;
            /** @description see the cron semantics in the README */
            cronExpression: string;
            /**
             * @description false = paused
             * @default true
             */
            enabled?: boolean;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            endDate?: string | null;
            input?: {
                [key: string]: unknown;
            };
            /** @default 0 */
            jitterMs?: number;
            maxExecutions?: number | null;
            metadata?: {
                [key: string]: unknown;
            };
            /** @default fire_once */
            misfirePolicy?: "fire_once" | "fire_all" | "skip";
            name: string;
            /** @default skip */
            overlapPolicy?: "skip" | "allow" | "buffer_one" | "cancel_previous";
            /** @default 5 */
            priority?: number;
            retryPolicy?: {
                /** @default 2 */
                backoffMultiplier?: number;
                /** @default 1000 */
                initialDelayMs?: number;
                /** @default full */
                jitter?: "full" | "none";
                /**
                 * @description counts the first try
                 * @default 3
                 */
                maxAttempts?: number;
                /** @default 300000 */
                maxDelayMs?: number;
            };
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            startDate?: string | null;
            /**
             * @description IANA time zone
             * @default UTC
             */
            timezone?: string;
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            workflowId: string;
        };
        /** SchedulePatch */
        SchedulePatch: {
            /** @default 60000 */
            catchupWindowMs?: number;
            /** @description see the cron semantics in the README */
            cronExpression?: string;
            /**
             * @description false = paused
             * @default true
             */
            enabled?: boolean;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            endDate?: string | null;
            input?: {
                [key: string]: unknown;
            };
            /** @default 0 */
            jitterMs?: number;
            maxExecutions?: number | null;
            metadata?: {
                [key: string]: unknown;
            };
            /** @default fire_once */
            misfirePolicy?: "fire_once" | "fire_all" | "skip";
            name?: string;
            /** @default skip */
            overlapPolicy?: "skip" | "allow" | "buffer_one" | "cancel_previous";
            /** @default 5 */
            priority?: number;
            retryPolicy?: {
                /** @default 2 */
                backoffMultiplier?: number;
                /** @default 1000 */
                initialDelayMs?: number;
                /** @default full */
                jitter?: "full" | "none";
                /**
                 * @description counts the first try
                 * @default 3
                 */
                maxAttempts?: number;
                /** @default 300000 */
                maxDelayMs?: number;
            };
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            startDate?: string | null;
            /**
             * @description IANA time zone
             * @default UTC
             */
            timezone?: string;
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            workflowId?: string;
        };
        /** ScheduleStatus */
        ScheduleStatus: {
            averageDurationMs: number | null;
            executionCount: number;
            lastExecution: {
                [key: string]: unknown;
            } | null;
            missedCount: number;
            nextRuns: string[];
            state: "active" | "paused" | "completed" | "expired";
            successRate: number | null;
        };
        /**
         * ScheduleWarning
         * @description A conflict found by the bounded conflict index: schedules firing every few seconds or minutes count as conflicting with every schedule of their workflow that fires; the cost of the lookup never depends on how many schedules the workflow has.
         */
        ScheduleWarning: {
            message: string;
            /** @description At most 10 of the conflicting schedules (other schedules of the same workflow firing within a minute of this one in the next 24 h). */
            scheduleIds: string[];
            /** @description How many other schedules of the workflow conflict. Exact while at most 100 conflict; past that the lookup may stop counting, and then says so with totalIsLowerBound. */
            total: number;
            /**
             * @description Present when total is a lower bound: more than 100 schedules conflict and the bounded lookup stopped counting. Never while 100 or fewer conflict, whatever their crons.
             * @enum {boolean}
             */
            totalIsLowerBound?: true;
            /** @enum {string} */
            type: "conflict";
        };
        /** ScheduleWithWarnings */
        ScheduleWithWarnings: {
            catchupWindowMs: number;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            createdAt: string;
            cronExpression: string;
            enabled: boolean;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            endDate: string | null;
            executionCount: number;
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            id: string;
            input: {
                [key: string]: unknown;
            };
            jitterMs: number;
            maxExecutions: number | null;
            metadata: {
                [key: string]: unknown;
            };
            misfirePolicy: string;
            missedCount: number;
            name: string;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            nextRunAt: string | null;
            overlapPolicy: string;
            pausedNote: string | null;
            priority: number;
            retryPolicy: {
                [key: string]: unknown;
            };
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            startDate: string | null;
            state: "active" | "paused" | "completed" | "expired";
            timezone: string;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            updatedAt: string;
            version: number;
            warnings: components["schemas"]["ScheduleWarning"][];
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            workflowId: string;
        };
        /**
         * SecretItem
         * @description A tenant secret (never its value)
         */
        SecretItem: {
            allowedHosts: string[] | null;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            createdAt: string;
            name: string;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            updatedAt: string;
        };
        /** SecretPut */
        SecretPut: {
            /** @description The hosts this secret may be sent to (the resolved URL’s host, port aside); absent or null: any host */
            allowedHosts?: string[] | null;
            /** @description up to 8 KiB of UTF-8; sealed at rest, never shown again */
            value: string;
        };
        /**
         * SigningSecret
         * @description The outbound signing secret
         */
        SigningSecret: {
            /** @description The tenant’s current outbound signing secret, `whsec_` + base64: verify `webhook-signature` of http step requests with it (Standard Webhooks) */
            secret: string;
        };
        /** StepOutcome */
        StepOutcome: {
            attempt?: number;
            /** @description the first 4 KiB of the response body (UTF-8) */
            body?: string;
            bodyTruncated?: boolean;
            durationMs: number;
            error?: string;
            name: string;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            startedAt: string;
            status: "succeeded" | "failed" | "skipped" | "cancelled";
            statusCode?: number;
            type: "http" | "delay";
        };
        /**
         * Trigger
         * @description A trigger. Its secret is never shown here: only on create and rotate-secret.
         */
        Trigger: {
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            createdAt: string;
            enabled: boolean;
            eventType: string | null;
            filter: {
                [key: string]: unknown;
            } | null;
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            id: string;
            /** @description the template that shapes the input (see the create body); null: the body or data itself */
            inputTemplate: {
                [key: string]: unknown;
            } | null;
            name: string;
            /**
             * Format: date-time
             * @description webhook: after a rotation the previous secret is also accepted until this time; null: only the current one
             */
            previousSecretExpiresAt: string | null;
            priority: number;
            /** @description webhook: per minute; event: null */
            rateLimitPerMinute: number | null;
            retryPolicy: {
                [key: string]: unknown;
            };
            /** @description webhook: `standard` or `github`; event: null */
            scheme: string | null;
            /**
             * @description `event`: started by POST /api/events and system events; `webhook`: by signed POST /hooks/:id
             * @enum {unknown}
             */
            type: "event" | "webhook";
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            updatedAt: string;
            /** @description webhook: where senders POST (`/hooks/<id>`, prefixed with PUBLIC_BASE_URL when set) */
            url: string | null;
            version: number;
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            workflowId: string;
        };
        /** TriggerCreate */
        TriggerCreate: {
            /**
             * @description a disabled trigger starts nothing
             * @default true
             */
            enabled?: boolean;
            /** @description event: required; webhook: optional. An exact type (`order.created`), a prefix glob (`order.*` matches `order.created` and `order.item.added`, not `order`) or `*` for every type (bad syntax: 422 `SCHED_ERR_EVENT_TYPE_INVALID`). The system's own events `execution.succeeded`, `execution.dead` (data: the execution) and `schedule.completed` (data: the schedule) are selected the same way (`execution.*`, `*`). On a webhook trigger it is matched against the delivery's event name: GitHub's `X-GitHub-Event` header (`push`, `pull_request`), for the standard scheme the body's top-level string `type`; a delivery without a matching name (checked after the signature and the delivery-id deduplication, before the filter) is answered 200 `{ filtered: true }`, starts nothing, and its delivery id is remembered */
            eventType?: string | null;
            /** @description EventBridge-style pattern over the event's `data` or the webhook's JSON body; `{}` or null matches everything. A malformed pattern is 422 with a JSON pointer (`/filter/...`) to the spot. Quotas (422 `SCHED_ERR_QUOTA_EXCEEDED` naming the quota): TENANT_MAX_FILTER_MATCHERS counts the values and matchers of every leaf, summed over the tenant's filters. In event triggers' filters, a nested object of two keys or more must be satisfied by one array element; its anchor is a key whose leaf holds only exact values (`"sku": ["A-1"]`; `prefix`/`suffix` leaves do not anchor), and it is tried only on the elements holding one of them. TENANT_MAX_UNANCHORED_SUBPATTERNS (default 12) counts the objects without an anchor, e.g. `{ "items": { "qty": [{ "numeric": [">", 5] }], "tag": [{ "exists": true }] } }`, tried on every element; TENANT_MAX_SUBPATTERNS_PER_ANCHOR (default 12) caps how many objects share one anchor (same path, anchor key and exact value; a leaf of several values counts in each value's group). */
            filter?: {
                [key: string]: unknown;
            } | null;
            /** @description A JSON object whose string leaves may hold `{{path}}` placeholders; resolved once when the delivery or event is accepted, the result is the workflow's `input` (default, or null: the webhook body / the event's `data`). Webhook: `{{body.*}}` (`body.commits[0].id`, `body["odd key"]`), `{{headers.<lower-case name>}}` (every header except authorization, proxy-authorization, cookie, webhook-signature, x-hub-signature and x-hub-signature-256), `{{event}}` (the event name, see eventType; null without one), `{{deliveryId}}`; event: `{{data.*}}`, `{{type}}`, `{{id}}` (the event id). A string that is exactly one placeholder takes the value with its JSON type (an object stays an object; no value: null); inside a longer string values are stringified (no value: ""). Object keys are never templated; text a placeholder put in is never scanned again. At most 64 KiB of JSON and 32 levels; an unknown placeholder root, an excluded or upper-case header name or a path deeper than 32 levels is 422 `SCHED_ERR_TEMPLATE_INVALID` naming the path (`body.inputTemplate.repo`). A delivery or event whose resolved input would exceed 1 MiB of JSON is 422 `SCHED_ERR_INPUT_TOO_LARGE`, nothing started. */
            inputTemplate?: {
                [key: string]: unknown;
            } | null;
            /** @description unique within the tenant */
            name: string;
            /**
             * @description higher runs first
             * @default 5
             */
            priority?: number;
            /**
             * @description webhook only: deliveries accepted per minute (429 with Retry-After above)
             * @default 600
             */
            rateLimitPerMinute?: number;
            retryPolicy?: {
                /** @default 2 */
                backoffMultiplier?: number;
                /** @default 1000 */
                initialDelayMs?: number;
                /** @default full */
                jitter?: "full" | "none";
                /**
                 * @description counts the first try
                 * @default 3
                 */
                maxAttempts?: number;
                /** @default 300000 */
                maxDelayMs?: number;
            };
            /**
             * @description webhook only. `standard`: Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`); `github`: `X-Hub-Signature-256` and `X-GitHub-Delivery`
             * @default standard
             * @enum {unknown}
             */
            scheme?: "standard" | "github";
            /**
             * @description `event`: started by POST /api/events and system events; `webhook`: by signed POST /hooks/:id
             * @enum {unknown}
             */
            type: "event" | "webhook";
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            workflowId: string;
        };
        /** TriggerPatch */
        TriggerPatch: {
            /**
             * @description a disabled trigger starts nothing
             * @default true
             */
            enabled?: boolean;
            /** @description event: required; webhook: optional. An exact type (`order.created`), a prefix glob (`order.*` matches `order.created` and `order.item.added`, not `order`) or `*` for every type (bad syntax: 422 `SCHED_ERR_EVENT_TYPE_INVALID`). The system's own events `execution.succeeded`, `execution.dead` (data: the execution) and `schedule.completed` (data: the schedule) are selected the same way (`execution.*`, `*`). On a webhook trigger it is matched against the delivery's event name: GitHub's `X-GitHub-Event` header (`push`, `pull_request`), for the standard scheme the body's top-level string `type`; a delivery without a matching name (checked after the signature and the delivery-id deduplication, before the filter) is answered 200 `{ filtered: true }`, starts nothing, and its delivery id is remembered */
            eventType?: string | null;
            /** @description EventBridge-style pattern over the event's `data` or the webhook's JSON body; `{}` or null matches everything. A malformed pattern is 422 with a JSON pointer (`/filter/...`) to the spot. Quotas (422 `SCHED_ERR_QUOTA_EXCEEDED` naming the quota): TENANT_MAX_FILTER_MATCHERS counts the values and matchers of every leaf, summed over the tenant's filters. In event triggers' filters, a nested object of two keys or more must be satisfied by one array element; its anchor is a key whose leaf holds only exact values (`"sku": ["A-1"]`; `prefix`/`suffix` leaves do not anchor), and it is tried only on the elements holding one of them. TENANT_MAX_UNANCHORED_SUBPATTERNS (default 12) counts the objects without an anchor, e.g. `{ "items": { "qty": [{ "numeric": [">", 5] }], "tag": [{ "exists": true }] } }`, tried on every element; TENANT_MAX_SUBPATTERNS_PER_ANCHOR (default 12) caps how many objects share one anchor (same path, anchor key and exact value; a leaf of several values counts in each value's group). */
            filter?: {
                [key: string]: unknown;
            } | null;
            /** @description A JSON object whose string leaves may hold `{{path}}` placeholders; resolved once when the delivery or event is accepted, the result is the workflow's `input` (default, or null: the webhook body / the event's `data`). Webhook: `{{body.*}}` (`body.commits[0].id`, `body["odd key"]`), `{{headers.<lower-case name>}}` (every header except authorization, proxy-authorization, cookie, webhook-signature, x-hub-signature and x-hub-signature-256), `{{event}}` (the event name, see eventType; null without one), `{{deliveryId}}`; event: `{{data.*}}`, `{{type}}`, `{{id}}` (the event id). A string that is exactly one placeholder takes the value with its JSON type (an object stays an object; no value: null); inside a longer string values are stringified (no value: ""). Object keys are never templated; text a placeholder put in is never scanned again. At most 64 KiB of JSON and 32 levels; an unknown placeholder root, an excluded or upper-case header name or a path deeper than 32 levels is 422 `SCHED_ERR_TEMPLATE_INVALID` naming the path (`body.inputTemplate.repo`). A delivery or event whose resolved input would exceed 1 MiB of JSON is 422 `SCHED_ERR_INPUT_TOO_LARGE`, nothing started. */
            inputTemplate?: {
                [key: string]: unknown;
            } | null;
            /** @description unique within the tenant */
            name?: string;
            /**
             * @description higher runs first
             * @default 5
             */
            priority?: number;
            /**
             * @description webhook only: deliveries accepted per minute (429 with Retry-After above)
             * @default 600
             */
            rateLimitPerMinute?: number;
            retryPolicy?: {
                /** @default 2 */
                backoffMultiplier?: number;
                /** @default 1000 */
                initialDelayMs?: number;
                /** @default full */
                jitter?: "full" | "none";
                /**
                 * @description counts the first try
                 * @default 3
                 */
                maxAttempts?: number;
                /** @default 300000 */
                maxDelayMs?: number;
            };
            /**
             * @description webhook only. `standard`: Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`); `github`: `X-Hub-Signature-256` and `X-GitHub-Delivery`
             * @default standard
             * @enum {unknown}
             */
            scheme?: "standard" | "github";
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            workflowId?: string;
        };
        /**
         * TriggerWithSecret
         * @description A webhook trigger with its new signing secret (create and rotate-secret only)
         */
        TriggerWithSecret: {
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            createdAt: string;
            enabled: boolean;
            eventType: string | null;
            filter: {
                [key: string]: unknown;
            } | null;
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            id: string;
            /** @description the template that shapes the input (see the create body); null: the body or data itself */
            inputTemplate: {
                [key: string]: unknown;
            } | null;
            name: string;
            /**
             * Format: date-time
             * @description webhook: after a rotation the previous secret is also accepted until this time; null: only the current one
             */
            previousSecretExpiresAt: string | null;
            priority: number;
            /** @description webhook: per minute; event: null */
            rateLimitPerMinute: number | null;
            retryPolicy: {
                [key: string]: unknown;
            };
            /** @description webhook: `standard` or `github`; event: null */
            scheme: string | null;
            /** @description webhook only, shown once: `whsec_` + base64 of 32 random bytes. Store it now; it cannot be read again */
            secret?: string;
            /**
             * @description `event`: started by POST /api/events and system events; `webhook`: by signed POST /hooks/:id
             * @enum {unknown}
             */
            type: "event" | "webhook";
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            updatedAt: string;
            /** @description webhook: where senders POST (`/hooks/<id>`, prefixed with PUBLIC_BASE_URL when set) */
            url: string | null;
            version: number;
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            workflowId: string;
        };
        /** WorkerInfo */
        WorkerInfo: {
            concurrency: number;
            cpuPercent: number;
            eventLoopLagMs: number;
            host: string;
            /** @description env WORKER_ID, else generated */
            id: string;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            lastSeenAt: string;
            pid: number;
            rssBytes: number;
            running: number;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            startedAt: string;
            state: "running" | "draining";
        };
        /**
         * Workflow
         * @description A workflow: an ordered list of steps
         */
        Workflow: {
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            createdAt: string;
            description: string | null;
            /**
             * Format: uuid
             * @description UUID (v7, time-ordered)
             */
            id: string;
            maxConcurrency: number | null;
            name: string;
            /** @description "failed_step" (default): a later attempt (a retry, or a run taken over after a lost lease) resumes at the first step without a recorded success; "start": every attempt runs every step */
            retryFrom: "failed_step" | "start";
            steps: {
                [key: string]: unknown;
            }[];
            timeoutMs: number | null;
            /**
             * Format: date-time
             * @description ISO-8601 time with offset
             */
            updatedAt: string;
            version: number;
        };
        /** WorkflowCreate */
        WorkflowCreate: {
            description?: string | null;
            /** @description Executions of this workflow running at once across all workers (a slot is held from the claim of an attempt to its end or lease expiry); null or absent: no cap */
            maxConcurrency?: number | null;
            name: string;
            /** @description "failed_step" (default): a later attempt (a retry, or a run taken over after a lost lease) resumes at the first step without a recorded success; "start": every attempt runs every step */
            retryFrom?: "failed_step" | "start";
            steps: (components["schemas"]["HttpStep"] | components["schemas"]["DelayStep"])[];
            timeoutMs?: number | null;
        };
        /** WorkflowPatch */
        WorkflowPatch: {
            description?: string | null;
            /** @description Executions of this workflow running at once across all workers (a slot is held from the claim of an attempt to its end or lease expiry); null or absent: no cap */
            maxConcurrency?: number | null;
            name?: string;
            /** @description "failed_step" (default): a later attempt (a retry, or a run taken over after a lost lease) resumes at the first step without a recorded success; "start": every attempt runs every step */
            retryFrom?: "failed_step" | "start";
            steps?: (components["schemas"]["HttpStep"] | components["schemas"]["DelayStep"])[];
            timeoutMs?: number | null;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: {
        /** @description The request's id: the client's X-Request-Id when it is 1-128 characters of [A-Za-z0-9._:-], else generated; also `requestId` in a problem body */
        RequestId: string;
        /** @description Seconds to wait before trying again */
        RetryAfter: number;
    };
    pathItems: never;
}
export type ApiKey = components['schemas']['ApiKey'];
export type ApiKeyCreate = components['schemas']['ApiKeyCreate'];
export type ApiKeyWithSecret = components['schemas']['ApiKeyWithSecret'];
export type AuditEntry = components['schemas']['AuditEntry'];
export type Caller = components['schemas']['Caller'];
export type CronPreview = components['schemas']['CronPreview'];
export type CronPreviewBody = components['schemas']['CronPreviewBody'];
export type DelayStep = components['schemas']['DelayStep'];
export type EventAccepted = components['schemas']['EventAccepted'];
export type EventBody = components['schemas']['EventBody'];
export type Execution = components['schemas']['Execution'];
export type ExecutionAccepted = components['schemas']['ExecutionAccepted'];
export type ExecutionError = components['schemas']['ExecutionError'];
export type ExecutionThroughput = components['schemas']['ExecutionThroughput'];
export type HttpStep = components['schemas']['HttpStep'];
export type OptimizerApplyBody = components['schemas']['OptimizerApplyBody'];
export type OptimizerApplyResult = components['schemas']['OptimizerApplyResult'];
export type OptimizerReport = components['schemas']['OptimizerReport'];
export type PeakFigure = components['schemas']['PeakFigure'];
export type Problem = components['schemas']['Problem'];
export type QueueItem = components['schemas']['QueueItem'];
export type RedriveBody = components['schemas']['RedriveBody'];
export type RedriveResult = components['schemas']['RedriveResult'];
export type Schedule = components['schemas']['Schedule'];
export type ScheduleCreate = components['schemas']['ScheduleCreate'];
export type SchedulePatch = components['schemas']['SchedulePatch'];
export type ScheduleStatus = components['schemas']['ScheduleStatus'];
export type ScheduleWarning = components['schemas']['ScheduleWarning'];
export type ScheduleWithWarnings = components['schemas']['ScheduleWithWarnings'];
export type SecretItem = components['schemas']['SecretItem'];
export type SecretPut = components['schemas']['SecretPut'];
export type SigningSecret = components['schemas']['SigningSecret'];
export type StepOutcome = components['schemas']['StepOutcome'];
export type Trigger = components['schemas']['Trigger'];
export type TriggerCreate = components['schemas']['TriggerCreate'];
export type TriggerPatch = components['schemas']['TriggerPatch'];
export type TriggerWithSecret = components['schemas']['TriggerWithSecret'];
export type WorkerInfo = components['schemas']['WorkerInfo'];
export type Workflow = components['schemas']['Workflow'];
export type WorkflowCreate = components['schemas']['WorkflowCreate'];
export type WorkflowPatch = components['schemas']['WorkflowPatch'];
export type HeaderRequestId = components['headers']['RequestId'];
export type HeaderRetryAfter = components['headers']['RetryAfter'];
export type $defs = Record<string, never>;
export interface operations {
    listApiKeys: {
        parameters: {
            query?: {
                /** @description `nextCursor` of the previous page */
                cursor?: string;
                /** @description Most items per page; a page also stops at 1 MiB of JSON (then with `nextCursor`). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of a cursor-paginated list: at most `limit` items (1-500, default 50) and at most 1 MiB of JSON (the whole response body). A page holds at least one item and stops before the item that would take it past 1 MiB, so a page of large items may hold fewer than `limit`; `nextCursor` is then set all the same. Pass `nextCursor` as `cursor` for the next page, until it is null: every item comes exactly once. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["ApiKey"][];
                        /** @description The cursor of the next page; null on the last one */
                        nextCursor: string | null;
                    };
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    createApiKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ApiKeyCreate"];
            };
        };
        responses: {
            /** @description A new API key, with the key shown this once */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiKeyWithSecret"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema; `SCHED_ERR_MALFORMED_JSON`: Malformed JSON body; `SCHED_ERR_JSON_UNSUPPORTED`: JSON nested too deep, or a string with a NUL character or an unpaired surrogate */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION" | "SCHED_ERR_MALFORMED_JSON" | "SCHED_ERR_JSON_UNSUPPORTED";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_NAME_TAKEN`: Name already used in this tenant */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NAME_TAKEN";
                    };
                };
            };
            /** @description `SCHED_ERR_BODY_TOO_LARGE`: Body over the limit */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_BODY_TOO_LARGE";
                    };
                };
            };
            /** @description `SCHED_ERR_UNSUPPORTED_MEDIA_TYPE`: Unsupported content type */
            415: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    revokeApiKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description UUID (v7, time-ordered) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    listAudit: {
        parameters: {
            query?: {
                /** @description `nextCursor` of the previous page */
                cursor?: string;
                /** @description Most items per page; a page also stops at 1 MiB of JSON (then with `nextCursor`). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of a cursor-paginated list: at most `limit` items (1-500, default 50) and at most 1 MiB of JSON (the whole response body). A page holds at least one item and stops before the item that would take it past 1 MiB, so a page of large items may hold fewer than `limit`; `nextCursor` is then set all the same. Pass `nextCursor` as `cursor` for the next page, until it is null: every item comes exactly once. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["AuditEntry"][];
                        /** @description The cursor of the next page; null on the last one */
                        nextCursor: string | null;
                    };
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    previewCron: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "expression": "30 2 * * *",
                 *       "timezone": "America/New_York",
                 *       "count": 3,
                 *       "from": "2026-03-07T12:00:00Z"
                 *     }
                 */
                "application/json": components["schemas"]["CronPreviewBody"];
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "nextRuns": [
                     *         "2026-03-08T07:30:00.000Z",
                     *         "2026-03-09T06:30:00.000Z",
                     *         "2026-03-10T06:30:00.000Z"
                     *       ],
                     *       "wildcard": false
                     *     }
                     */
                    "application/json": components["schemas"]["CronPreview"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema; `SCHED_ERR_MALFORMED_JSON`: Malformed JSON body; `SCHED_ERR_JSON_UNSUPPORTED`: JSON nested too deep, or a string with a NUL character or an unpaired surrogate */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION" | "SCHED_ERR_MALFORMED_JSON" | "SCHED_ERR_JSON_UNSUPPORTED";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_BODY_TOO_LARGE`: Body over the limit */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_BODY_TOO_LARGE";
                    };
                };
            };
            /** @description `SCHED_ERR_UNSUPPORTED_MEDIA_TYPE`: Unsupported content type */
            415: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description `SCHED_ERR_CRON_INVALID`: Invalid cron expression; `SCHED_ERR_TIMEZONE_INVALID`: Unknown time zone */
            422: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_CRON_INVALID" | "SCHED_ERR_TIMEZONE_INVALID";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    publishEvent: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "type": "order.created",
                 *       "data": {
                 *         "orderId": "A-1042",
                 *         "total": 99.5
                 *       },
                 *       "id": "evt-A-1042"
                 *     }
                 */
                "application/json": components["schemas"]["EventBody"];
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        deduplicated: true;
                        eventId: string;
                        /** @description The executions the first event with this id started */
                        executions: string[];
                    };
                };
            };
            /** @description Default Response */
            202: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "eventId": "evt-A-1042",
                     *       "executions": [
                     *         "0193f2a2-1b2c-7d3e-8f4a-5b6c7d8e9fa0"
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["EventAccepted"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema; `SCHED_ERR_MALFORMED_JSON`: Malformed JSON body; `SCHED_ERR_JSON_UNSUPPORTED`: JSON nested too deep, or a string with a NUL character or an unpaired surrogate */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION" | "SCHED_ERR_MALFORMED_JSON" | "SCHED_ERR_JSON_UNSUPPORTED";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_BODY_TOO_LARGE`: Body over the limit */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_BODY_TOO_LARGE";
                    };
                };
            };
            /** @description `SCHED_ERR_UNSUPPORTED_MEDIA_TYPE`: Unsupported content type */
            415: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description `SCHED_ERR_EVENT_TOO_COSTLY`: Matching the body against the triggers is too costly; `SCHED_ERR_INPUT_TOO_LARGE`: The trigger's inputTemplate makes too large an input */
            422: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_EVENT_TOO_COSTLY" | "SCHED_ERR_INPUT_TOO_LARGE";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    listExecutions: {
        parameters: {
            query?: {
                /** @description `nextCursor` of the previous page */
                cursor?: string;
                /** @description Most items per page; a page also stops at 1 MiB of JSON (then with `nextCursor`). */
                limit?: number;
                /** @description UUID (v7, time-ordered) */
                scheduleId?: string;
                status?: "queued" | "running" | "retrying" | "succeeded" | "dead" | "skipped" | "missed" | "cancelled";
                /** @description UUID (v7, time-ordered) */
                triggerId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of a cursor-paginated list: at most `limit` items (1-500, default 50) and at most 1 MiB of JSON (the whole response body). A page holds at least one item and stops before the item that would take it past 1 MiB, so a page of large items may hold fewer than `limit`; `nextCursor` is then set all the same. Pass `nextCursor` as `cursor` for the next page, until it is null: every item comes exactly once. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Execution"][];
                        /** @description The cursor of the next page; null on the last one */
                        nextCursor: string | null;
                    };
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    getExecution: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description UUID (v7, time-ordered) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One run of a workflow, with all its attempts */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Execution"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    updateExecutionPriority: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description UUID (v7, time-ordered) */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    priority: number;
                };
            };
        };
        responses: {
            /** @description One run of a workflow, with all its attempts */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Execution"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema; `SCHED_ERR_MALFORMED_JSON`: Malformed JSON body; `SCHED_ERR_JSON_UNSUPPORTED`: JSON nested too deep, or a string with a NUL character or an unpaired surrogate */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION" | "SCHED_ERR_MALFORMED_JSON" | "SCHED_ERR_JSON_UNSUPPORTED";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_INVALID_STATE`: Not allowed in the current state */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INVALID_STATE";
                    };
                };
            };
            /** @description `SCHED_ERR_BODY_TOO_LARGE`: Body over the limit */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_BODY_TOO_LARGE";
                    };
                };
            };
            /** @description `SCHED_ERR_UNSUPPORTED_MEDIA_TYPE`: Unsupported content type */
            415: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    cancelExecution: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description UUID (v7, time-ordered) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One run of a workflow, with all its attempts */
            202: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Execution"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_INVALID_STATE`: Not allowed in the current state */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INVALID_STATE";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    retryExecution: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description UUID (v7, time-ordered) */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    input?: {
                        [key: string]: unknown;
                    };
                };
            };
        };
        responses: {
            /** @description Default Response */
            202: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExecutionAccepted"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema; `SCHED_ERR_MALFORMED_JSON`: Malformed JSON body; `SCHED_ERR_JSON_UNSUPPORTED`: JSON nested too deep, or a string with a NUL character or an unpaired surrogate */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION" | "SCHED_ERR_MALFORMED_JSON" | "SCHED_ERR_JSON_UNSUPPORTED";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_INVALID_STATE`: Not allowed in the current state */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INVALID_STATE";
                    };
                };
            };
            /** @description `SCHED_ERR_BODY_TOO_LARGE`: Body over the limit */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_BODY_TOO_LARGE";
                    };
                };
            };
            /** @description `SCHED_ERR_UNSUPPORTED_MEDIA_TYPE`: Unsupported content type */
            415: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    redriveExecutions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "filter": {
                 *         "workflowId": "0193f2a0-6c1e-7b3a-9f10-2b4c6d8e0a12",
                 *         "errorClass": "retryable"
                 *       },
                 *       "dryRun": true
                 *     }
                 */
                "application/json": components["schemas"]["RedriveBody"];
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RedriveResult"];
                };
            };
            /** @description Default Response */
            202: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RedriveResult"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema; `SCHED_ERR_MALFORMED_JSON`: Malformed JSON body; `SCHED_ERR_JSON_UNSUPPORTED`: JSON nested too deep, or a string with a NUL character or an unpaired surrogate */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION" | "SCHED_ERR_MALFORMED_JSON" | "SCHED_ERR_JSON_UNSUPPORTED";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_BODY_TOO_LARGE`: Body over the limit */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_BODY_TOO_LARGE";
                    };
                };
            };
            /** @description `SCHED_ERR_UNSUPPORTED_MEDIA_TYPE`: Unsupported content type */
            415: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    getExecutionThroughput: {
        parameters: {
            query?: {
                minutes?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The tenant's executions that ended (succeeded, dead, cancelled) in each whole minute from `from` to `to`, oldest first, zeros included; the current minute is the last, partial one */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExecutionThroughput"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    getCaller: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Who the credential acts as: its tenant and role */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Caller"];
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    listQueue: {
        parameters: {
            query?: {
                /** @description `nextCursor` of the previous page */
                cursor?: string;
                /** @description Most items per page; a page also stops at 1 MiB of JSON (then with `nextCursor`). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["QueueItem"][];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    listSchedules: {
        parameters: {
            query?: {
                /** @description `nextCursor` of the previous page */
                cursor?: string;
                /** @description Most items per page; a page also stops at 1 MiB of JSON (then with `nextCursor`). */
                limit?: number;
                /** @description only schedules whose name contains this text (case-insensitive) */
                search?: string;
                state?: "active" | "paused" | "completed" | "expired";
                /** @description UUID (v7, time-ordered) */
                workflowId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of a cursor-paginated list: at most `limit` items (1-500, default 50) and at most 1 MiB of JSON (the whole response body). A page holds at least one item and stops before the item that would take it past 1 MiB, so a page of large items may hold fewer than `limit`; `nextCursor` is then set all the same. Pass `nextCursor` as `cursor` for the next page, until it is null: every item comes exactly once. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Schedule"][];
                        /** @description The cursor of the next page; null on the last one */
                        nextCursor: string | null;
                    };
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    createSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "workflowId": "0193f2a0-6c1e-7b3a-9f10-2b4c6d8e0a12",
                 *       "name": "nightly-report",
                 *       "cronExpression": "0 30 2 * * *",
                 *       "timezone": "America/New_York",
                 *       "input": {
                 *         "report": "daily"
                 *       },
                 *       "retryPolicy": {
                 *         "maxAttempts": 3,
                 *         "initialDelayMs": 1000,
                 *         "maxDelayMs": 60000
                 *       },
                 *       "metadata": {
                 *         "team": "finance"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["ScheduleCreate"];
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0193f2a1-0a4b-7c2d-8e3f-4a5b6c7d8e9f",
                     *       "workflowId": "0193f2a0-6c1e-7b3a-9f10-2b4c6d8e0a12",
                     *       "name": "nightly-report",
                     *       "cronExpression": "0 30 2 * * *",
                     *       "timezone": "America/New_York",
                     *       "enabled": true,
                     *       "startDate": null,
                     *       "endDate": null,
                     *       "maxExecutions": null,
                     *       "input": {
                     *         "report": "daily"
                     *       },
                     *       "priority": 5,
                     *       "retryPolicy": {
                     *         "maxAttempts": 3,
                     *         "initialDelayMs": 1000,
                     *         "backoffMultiplier": 2,
                     *         "maxDelayMs": 60000,
                     *         "jitter": "full"
                     *       },
                     *       "overlapPolicy": "skip",
                     *       "misfirePolicy": "fire_once",
                     *       "catchupWindowMs": 60000,
                     *       "jitterMs": 0,
                     *       "metadata": {
                     *         "team": "finance"
                     *       },
                     *       "state": "active",
                     *       "version": 1,
                     *       "nextRunAt": "2026-03-09T06:30:00.000Z",
                     *       "pausedNote": null,
                     *       "executionCount": 0,
                     *       "missedCount": 0,
                     *       "createdAt": "2026-03-08T15:04:05.000Z",
                     *       "updatedAt": "2026-03-08T15:04:05.000Z",
                     *       "warnings": []
                     *     }
                     */
                    "application/json": components["schemas"]["ScheduleWithWarnings"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema; `SCHED_ERR_MALFORMED_JSON`: Malformed JSON body; `SCHED_ERR_JSON_UNSUPPORTED`: JSON nested too deep, or a string with a NUL character or an unpaired surrogate */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION" | "SCHED_ERR_MALFORMED_JSON" | "SCHED_ERR_JSON_UNSUPPORTED";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_NAME_TAKEN`: Name already used in this tenant */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NAME_TAKEN";
                    };
                };
            };
            /** @description `SCHED_ERR_BODY_TOO_LARGE`: Body over the limit */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_BODY_TOO_LARGE";
                    };
                };
            };
            /** @description `SCHED_ERR_UNSUPPORTED_MEDIA_TYPE`: Unsupported content type */
            415: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description `SCHED_ERR_CRON_INVALID`: Invalid cron expression; `SCHED_ERR_TIMEZONE_INVALID`: Unknown time zone; `SCHED_ERR_CRON_NEVER_FIRES`: The schedule never fires; `SCHED_ERR_DATE_RANGE`: endDate is before startDate; `SCHED_ERR_WORKFLOW_UNKNOWN`: Unknown workflowId; `SCHED_ERR_QUOTA_EXCEEDED`: A tenant quota would be exceeded */
            422: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_CRON_INVALID" | "SCHED_ERR_TIMEZONE_INVALID" | "SCHED_ERR_CRON_NEVER_FIRES" | "SCHED_ERR_DATE_RANGE" | "SCHED_ERR_WORKFLOW_UNKNOWN" | "SCHED_ERR_QUOTA_EXCEEDED";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    getSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description UUID (v7, time-ordered) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A schedule and its runtime state */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0193f2a1-0a4b-7c2d-8e3f-4a5b6c7d8e9f",
                     *       "workflowId": "0193f2a0-6c1e-7b3a-9f10-2b4c6d8e0a12",
                     *       "name": "nightly-report",
                     *       "cronExpression": "0 30 2 * * *",
                     *       "timezone": "America/New_York",
                     *       "enabled": true,
                     *       "startDate": null,
                     *       "endDate": null,
                     *       "maxExecutions": null,
                     *       "input": {
                     *         "report": "daily"
                     *       },
                     *       "priority": 5,
                     *       "retryPolicy": {
                     *         "maxAttempts": 3,
                     *         "initialDelayMs": 1000,
                     *         "backoffMultiplier": 2,
                     *         "maxDelayMs": 60000,
                     *         "jitter": "full"
                     *       },
                     *       "overlapPolicy": "skip",
                     *       "misfirePolicy": "fire_once",
                     *       "catchupWindowMs": 60000,
                     *       "jitterMs": 0,
                     *       "metadata": {
                     *         "team": "finance"
                     *       },
                     *       "state": "active",
                     *       "version": 1,
                     *       "nextRunAt": "2026-03-09T06:30:00.000Z",
                     *       "pausedNote": null,
                     *       "executionCount": 0,
                     *       "missedCount": 0,
                     *       "createdAt": "2026-03-08T15:04:05.000Z",
                     *       "updatedAt": "2026-03-08T15:04:05.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Schedule"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    replaceSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description UUID (v7, time-ordered) */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SchedulePatch"];
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScheduleWithWarnings"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema; `SCHED_ERR_MALFORMED_JSON`: Malformed JSON body; `SCHED_ERR_JSON_UNSUPPORTED`: JSON nested too deep, or a string with a NUL character or an unpaired surrogate */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION" | "SCHED_ERR_MALFORMED_JSON" | "SCHED_ERR_JSON_UNSUPPORTED";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_NAME_TAKEN`: Name already used in this tenant */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NAME_TAKEN";
                    };
                };
            };
            /** @description `SCHED_ERR_BODY_TOO_LARGE`: Body over the limit */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_BODY_TOO_LARGE";
                    };
                };
            };
            /** @description `SCHED_ERR_UNSUPPORTED_MEDIA_TYPE`: Unsupported content type */
            415: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description `SCHED_ERR_CRON_INVALID`: Invalid cron expression; `SCHED_ERR_TIMEZONE_INVALID`: Unknown time zone; `SCHED_ERR_CRON_NEVER_FIRES`: The schedule never fires; `SCHED_ERR_DATE_RANGE`: endDate is before startDate; `SCHED_ERR_WORKFLOW_UNKNOWN`: Unknown workflowId; `SCHED_ERR_QUOTA_EXCEEDED`: A tenant quota would be exceeded */
            422: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_CRON_INVALID" | "SCHED_ERR_TIMEZONE_INVALID" | "SCHED_ERR_CRON_NEVER_FIRES" | "SCHED_ERR_DATE_RANGE" | "SCHED_ERR_WORKFLOW_UNKNOWN" | "SCHED_ERR_QUOTA_EXCEEDED";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    deleteSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description UUID (v7, time-ordered) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    updateSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description UUID (v7, time-ordered) */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SchedulePatch"];
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScheduleWithWarnings"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema; `SCHED_ERR_MALFORMED_JSON`: Malformed JSON body; `SCHED_ERR_JSON_UNSUPPORTED`: JSON nested too deep, or a string with a NUL character or an unpaired surrogate */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION" | "SCHED_ERR_MALFORMED_JSON" | "SCHED_ERR_JSON_UNSUPPORTED";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_NAME_TAKEN`: Name already used in this tenant */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NAME_TAKEN";
                    };
                };
            };
            /** @description `SCHED_ERR_BODY_TOO_LARGE`: Body over the limit */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_BODY_TOO_LARGE";
                    };
                };
            };
            /** @description `SCHED_ERR_UNSUPPORTED_MEDIA_TYPE`: Unsupported content type */
            415: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description `SCHED_ERR_CRON_INVALID`: Invalid cron expression; `SCHED_ERR_TIMEZONE_INVALID`: Unknown time zone; `SCHED_ERR_CRON_NEVER_FIRES`: The schedule never fires; `SCHED_ERR_DATE_RANGE`: endDate is before startDate; `SCHED_ERR_WORKFLOW_UNKNOWN`: Unknown workflowId; `SCHED_ERR_QUOTA_EXCEEDED`: A tenant quota would be exceeded */
            422: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_CRON_INVALID" | "SCHED_ERR_TIMEZONE_INVALID" | "SCHED_ERR_CRON_NEVER_FIRES" | "SCHED_ERR_DATE_RANGE" | "SCHED_ERR_WORKFLOW_UNKNOWN" | "SCHED_ERR_QUOTA_EXCEEDED";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    listScheduleHistory: {
        parameters: {
            query?: {
                /** @description `nextCursor` of the previous page */
                cursor?: string;
                /** @description Most items per page; a page also stops at 1 MiB of JSON (then with `nextCursor`). */
                limit?: number;
                status?: "queued" | "running" | "retrying" | "succeeded" | "dead" | "skipped" | "missed" | "cancelled";
            };
            header?: never;
            path: {
                /** @description UUID (v7, time-ordered) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of a cursor-paginated list: at most `limit` items (1-500, default 50) and at most 1 MiB of JSON (the whole response body). A page holds at least one item and stops before the item that would take it past 1 MiB, so a page of large items may hold fewer than `limit`; `nextCursor` is then set all the same. Pass `nextCursor` as `cursor` for the next page, until it is null: every item comes exactly once. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Execution"][];
                        /** @description The cursor of the next page; null on the last one */
                        nextCursor: string | null;
                    };
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    pauseSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description UUID (v7, time-ordered) */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    note?: string;
                };
            };
        };
        responses: {
            /** @description A schedule and its runtime state */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Schedule"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema; `SCHED_ERR_MALFORMED_JSON`: Malformed JSON body; `SCHED_ERR_JSON_UNSUPPORTED`: JSON nested too deep, or a string with a NUL character or an unpaired surrogate */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION" | "SCHED_ERR_MALFORMED_JSON" | "SCHED_ERR_JSON_UNSUPPORTED";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_INVALID_STATE`: Not allowed in the current state */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INVALID_STATE";
                    };
                };
            };
            /** @description `SCHED_ERR_BODY_TOO_LARGE`: Body over the limit */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_BODY_TOO_LARGE";
                    };
                };
            };
            /** @description `SCHED_ERR_UNSUPPORTED_MEDIA_TYPE`: Unsupported content type */
            415: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    resumeSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description UUID (v7, time-ordered) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A schedule and its runtime state */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Schedule"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_INVALID_STATE`: Not allowed in the current state */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INVALID_STATE";
                    };
                };
            };
            /** @description `SCHED_ERR_CRON_NEVER_FIRES`: The schedule never fires */
            422: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_CRON_NEVER_FIRES";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    getScheduleStatus: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description UUID (v7, time-ordered) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScheduleStatus"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    triggerSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description UUID (v7, time-ordered) */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "input": {
                 *         "report": "adhoc"
                 *       }
                 *     }
                 */
                "application/json": {
                    input?: {
                        [key: string]: unknown;
                    };
                };
            };
        };
        responses: {
            /** @description Default Response */
            202: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "executionId": "0193f2a2-1b2c-7d3e-8f4a-5b6c7d8e9fa0"
                     *     }
                     */
                    "application/json": components["schemas"]["ExecutionAccepted"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema; `SCHED_ERR_MALFORMED_JSON`: Malformed JSON body; `SCHED_ERR_JSON_UNSUPPORTED`: JSON nested too deep, or a string with a NUL character or an unpaired surrogate */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION" | "SCHED_ERR_MALFORMED_JSON" | "SCHED_ERR_JSON_UNSUPPORTED";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_BODY_TOO_LARGE`: Body over the limit */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_BODY_TOO_LARGE";
                    };
                };
            };
            /** @description `SCHED_ERR_UNSUPPORTED_MEDIA_TYPE`: Unsupported content type */
            415: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    getOptimizerReport: {
        parameters: {
            query?: {
                /** @description The window: from now (to the second) this many hours ahead */
                hours?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OptimizerReport"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    applyOptimizerSuggestions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OptimizerApplyBody"];
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OptimizerApplyResult"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema; `SCHED_ERR_MALFORMED_JSON`: Malformed JSON body; `SCHED_ERR_JSON_UNSUPPORTED`: JSON nested too deep, or a string with a NUL character or an unpaired surrogate */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION" | "SCHED_ERR_MALFORMED_JSON" | "SCHED_ERR_JSON_UNSUPPORTED";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_BODY_TOO_LARGE`: Body over the limit */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_BODY_TOO_LARGE";
                    };
                };
            };
            /** @description `SCHED_ERR_UNSUPPORTED_MEDIA_TYPE`: Unsupported content type */
            415: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description `SCHED_ERR_SUGGESTION_INVALID`: An optimizer suggestion that cannot be applied */
            422: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_SUGGESTION_INVALID";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    getScheduleStats: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description startedAt − scheduledFor of fire executions created in the last hour (jitter included) */
                        firingLagMs: {
                            p50: number;
                            p95: number;
                            p99: number;
                        } | null;
                        /** Format: date-time */
                        generatedAt: string;
                        lastDay: {
                            cancelled: number;
                            dead: number;
                            missed: number;
                            queued: number;
                            retrying: number;
                            running: number;
                            skipped: number;
                            succeeded: number;
                        };
                        lastHour: {
                            cancelled: number;
                            dead: number;
                            missed: number;
                            queued: number;
                            retrying: number;
                            running: number;
                            skipped: number;
                            succeeded: number;
                        };
                        queue: {
                            /** @description the tenant's dead executions (all time), from Postgres */
                            dead: number;
                            /** @description the tenant's active schedules with a next fire (from Postgres) */
                            due: number | null;
                            /** @description of those, the ones whose next fire time has passed and that have not fired yet */
                            overdue: number | null;
                            /** @description the tenant's executions waiting for a worker (held back by a cap included); null with Redis down */
                            ready: number | null;
                            /** @description the tenant's delayed executions: retries in backoff, and jittered or look-ahead fires not yet due */
                            retrying: number | null;
                            /** @description the tenant's executions leased to a worker (claimed ahead included): the slots it holds */
                            running: number | null;
                        };
                        schedules: {
                            active: number;
                            completed: number;
                            expired: number;
                            paused: number;
                        };
                        workersAlive: number | null;
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    listSecrets: {
        parameters: {
            query?: {
                /** @description `nextCursor` of the previous page */
                cursor?: string;
                /** @description Most items per page; a page also stops at 1 MiB of JSON (then with `nextCursor`). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of a cursor-paginated list: at most `limit` items (1-500, default 50) and at most 1 MiB of JSON (the whole response body). A page holds at least one item and stops before the item that would take it past 1 MiB, so a page of large items may hold fewer than `limit`; `nextCursor` is then set all the same. Pass `nextCursor` as `cursor` for the next page, until it is null: every item comes exactly once. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["SecretItem"][];
                        /** @description The cursor of the next page; null on the last one */
                        nextCursor: string | null;
                    };
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    putSecret: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description upper case letters, digits and `_`, starting with a letter (at most 64) */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SecretPut"];
            };
        };
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema; `SCHED_ERR_MALFORMED_JSON`: Malformed JSON body; `SCHED_ERR_JSON_UNSUPPORTED`: JSON nested too deep, or a string with a NUL character or an unpaired surrogate */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION" | "SCHED_ERR_MALFORMED_JSON" | "SCHED_ERR_JSON_UNSUPPORTED";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_BODY_TOO_LARGE`: Body over the limit */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_BODY_TOO_LARGE";
                    };
                };
            };
            /** @description `SCHED_ERR_UNSUPPORTED_MEDIA_TYPE`: Unsupported content type */
            415: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    deleteSecret: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description upper case letters, digits and `_`, starting with a letter (at most 64) */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_IN_USE`: Still in use */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_IN_USE";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    getSigningSecret: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The outbound signing secret */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SigningSecret"];
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_SECRET_UNREADABLE`: A stored secret cannot be decrypted; `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_SECRET_UNREADABLE" | "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    rotateSigningSecret: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The outbound signing secret */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SigningSecret"];
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_SECRET_UNREADABLE`: A stored secret cannot be decrypted; `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_SECRET_UNREADABLE" | "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    listTriggers: {
        parameters: {
            query?: {
                /** @description `nextCursor` of the previous page */
                cursor?: string;
                /** @description Most items per page; a page also stops at 1 MiB of JSON (then with `nextCursor`). */
                limit?: number;
                /** @description `event`: started by POST /api/events and system events; `webhook`: by signed POST /hooks/:id */
                type?: "event" | "webhook";
                /** @description UUID (v7, time-ordered) */
                workflowId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of a cursor-paginated list: at most `limit` items (1-500, default 50) and at most 1 MiB of JSON (the whole response body). A page holds at least one item and stops before the item that would take it past 1 MiB, so a page of large items may hold fewer than `limit`; `nextCursor` is then set all the same. Pass `nextCursor` as `cursor` for the next page, until it is null: every item comes exactly once. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Trigger"][];
                        /** @description The cursor of the next page; null on the last one */
                        nextCursor: string | null;
                    };
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    createTrigger: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "type": "webhook",
                 *       "workflowId": "0193f2a0-6c1e-7b3a-9f10-2b4c6d8e0a12",
                 *       "name": "github-push",
                 *       "scheme": "github"
                 *     }
                 */
                "application/json": components["schemas"]["TriggerCreate"];
            };
        };
        responses: {
            /** @description A webhook trigger with its new signing secret (create and rotate-secret only) */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TriggerWithSecret"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema; `SCHED_ERR_MALFORMED_JSON`: Malformed JSON body; `SCHED_ERR_JSON_UNSUPPORTED`: JSON nested too deep, or a string with a NUL character or an unpaired surrogate */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION" | "SCHED_ERR_MALFORMED_JSON" | "SCHED_ERR_JSON_UNSUPPORTED";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_NAME_TAKEN`: Name already used in this tenant */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NAME_TAKEN";
                    };
                };
            };
            /** @description `SCHED_ERR_BODY_TOO_LARGE`: Body over the limit */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_BODY_TOO_LARGE";
                    };
                };
            };
            /** @description `SCHED_ERR_UNSUPPORTED_MEDIA_TYPE`: Unsupported content type */
            415: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description `SCHED_ERR_EVENT_TYPE_INVALID`: Invalid eventType; `SCHED_ERR_TEMPLATE_INVALID`: Invalid inputTemplate; `SCHED_ERR_WORKFLOW_UNKNOWN`: Unknown workflowId; `SCHED_ERR_FILTER_INVALID`: Invalid filter pattern; `SCHED_ERR_QUOTA_EXCEEDED`: A tenant quota would be exceeded */
            422: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_EVENT_TYPE_INVALID" | "SCHED_ERR_TEMPLATE_INVALID" | "SCHED_ERR_WORKFLOW_UNKNOWN" | "SCHED_ERR_FILTER_INVALID" | "SCHED_ERR_QUOTA_EXCEEDED";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    getTrigger: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description UUID (v7, time-ordered) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A trigger. Its secret is never shown here: only on create and rotate-secret. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0193f2a3-2c3d-7e4f-8a5b-6c7d8e9fa0b1",
                     *       "workflowId": "0193f2a0-6c1e-7b3a-9f10-2b4c6d8e0a12",
                     *       "name": "github-push",
                     *       "type": "webhook",
                     *       "eventType": null,
                     *       "filter": null,
                     *       "scheme": "github",
                     *       "inputTemplate": null,
                     *       "rateLimitPerMinute": null,
                     *       "retryPolicy": {
                     *         "maxAttempts": 5
                     *       },
                     *       "priority": 5,
                     *       "enabled": true,
                     *       "url": "/hooks/0193f2a3-2c3d-7e4f-8a5b-6c7d8e9fa0b1",
                     *       "previousSecretExpiresAt": null,
                     *       "version": 1,
                     *       "createdAt": "2026-03-08T15:04:05.000Z",
                     *       "updatedAt": "2026-03-08T15:04:05.000Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Trigger"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_SECRET_UNREADABLE`: A stored secret cannot be decrypted; `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_SECRET_UNREADABLE" | "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    replaceTrigger: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description UUID (v7, time-ordered) */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TriggerCreate"];
            };
        };
        responses: {
            /** @description A trigger. Its secret is never shown here: only on create and rotate-secret. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Trigger"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema; `SCHED_ERR_MALFORMED_JSON`: Malformed JSON body; `SCHED_ERR_JSON_UNSUPPORTED`: JSON nested too deep, or a string with a NUL character or an unpaired surrogate */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION" | "SCHED_ERR_MALFORMED_JSON" | "SCHED_ERR_JSON_UNSUPPORTED";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_NAME_TAKEN`: Name already used in this tenant */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NAME_TAKEN";
                    };
                };
            };
            /** @description `SCHED_ERR_BODY_TOO_LARGE`: Body over the limit */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_BODY_TOO_LARGE";
                    };
                };
            };
            /** @description `SCHED_ERR_UNSUPPORTED_MEDIA_TYPE`: Unsupported content type */
            415: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description `SCHED_ERR_EVENT_TYPE_INVALID`: Invalid eventType; `SCHED_ERR_TEMPLATE_INVALID`: Invalid inputTemplate; `SCHED_ERR_WORKFLOW_UNKNOWN`: Unknown workflowId; `SCHED_ERR_FILTER_INVALID`: Invalid filter pattern; `SCHED_ERR_QUOTA_EXCEEDED`: A tenant quota would be exceeded; `SCHED_ERR_IMMUTABLE_FIELD`: A field that cannot change */
            422: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_EVENT_TYPE_INVALID" | "SCHED_ERR_TEMPLATE_INVALID" | "SCHED_ERR_WORKFLOW_UNKNOWN" | "SCHED_ERR_FILTER_INVALID" | "SCHED_ERR_QUOTA_EXCEEDED" | "SCHED_ERR_IMMUTABLE_FIELD";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    deleteTrigger: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description UUID (v7, time-ordered) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    updateTrigger: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description UUID (v7, time-ordered) */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TriggerPatch"];
            };
        };
        responses: {
            /** @description A trigger. Its secret is never shown here: only on create and rotate-secret. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Trigger"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema; `SCHED_ERR_MALFORMED_JSON`: Malformed JSON body; `SCHED_ERR_JSON_UNSUPPORTED`: JSON nested too deep, or a string with a NUL character or an unpaired surrogate */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION" | "SCHED_ERR_MALFORMED_JSON" | "SCHED_ERR_JSON_UNSUPPORTED";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_NAME_TAKEN`: Name already used in this tenant */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NAME_TAKEN";
                    };
                };
            };
            /** @description `SCHED_ERR_BODY_TOO_LARGE`: Body over the limit */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_BODY_TOO_LARGE";
                    };
                };
            };
            /** @description `SCHED_ERR_UNSUPPORTED_MEDIA_TYPE`: Unsupported content type */
            415: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description `SCHED_ERR_EVENT_TYPE_INVALID`: Invalid eventType; `SCHED_ERR_TEMPLATE_INVALID`: Invalid inputTemplate; `SCHED_ERR_WORKFLOW_UNKNOWN`: Unknown workflowId; `SCHED_ERR_FILTER_INVALID`: Invalid filter pattern; `SCHED_ERR_QUOTA_EXCEEDED`: A tenant quota would be exceeded; `SCHED_ERR_IMMUTABLE_FIELD`: A field that cannot change */
            422: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_EVENT_TYPE_INVALID" | "SCHED_ERR_TEMPLATE_INVALID" | "SCHED_ERR_WORKFLOW_UNKNOWN" | "SCHED_ERR_FILTER_INVALID" | "SCHED_ERR_QUOTA_EXCEEDED" | "SCHED_ERR_IMMUTABLE_FIELD";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    rotateTriggerSecret: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description UUID (v7, time-ordered) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A webhook trigger with its new signing secret (create and rotate-secret only) */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TriggerWithSecret"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_INVALID_STATE`: Not allowed in the current state */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INVALID_STATE";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_SECRET_UNREADABLE`: A stored secret cannot be decrypted; `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_SECRET_UNREADABLE" | "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    listWorkers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["WorkerInfo"][];
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    listWorkflows: {
        parameters: {
            query?: {
                /** @description `nextCursor` of the previous page */
                cursor?: string;
                /** @description Most items per page; a page also stops at 1 MiB of JSON (then with `nextCursor`). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of a cursor-paginated list: at most `limit` items (1-500, default 50) and at most 1 MiB of JSON (the whole response body). A page holds at least one item and stops before the item that would take it past 1 MiB, so a page of large items may hold fewer than `limit`; `nextCursor` is then set all the same. Pass `nextCursor` as `cursor` for the next page, until it is null: every item comes exactly once. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Workflow"][];
                        /** @description The cursor of the next page; null on the last one */
                        nextCursor: string | null;
                    };
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    createWorkflow: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "send-report",
                 *       "steps": [
                 *         {
                 *           "name": "build",
                 *           "type": "http",
                 *           "method": "POST",
                 *           "url": "https://reports.example.org/build",
                 *           "body": {
                 *             "report": "{{input.report}}"
                 *           }
                 *         },
                 *         {
                 *           "name": "cool-down",
                 *           "type": "delay",
                 *           "ms": 1000
                 *         }
                 *       ],
                 *       "timeoutMs": 300000
                 *     }
                 */
                "application/json": components["schemas"]["WorkflowCreate"];
            };
        };
        responses: {
            /** @description A workflow: an ordered list of steps */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Workflow"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema; `SCHED_ERR_MALFORMED_JSON`: Malformed JSON body; `SCHED_ERR_JSON_UNSUPPORTED`: JSON nested too deep, or a string with a NUL character or an unpaired surrogate */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION" | "SCHED_ERR_MALFORMED_JSON" | "SCHED_ERR_JSON_UNSUPPORTED";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_NAME_TAKEN`: Name already used in this tenant */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NAME_TAKEN";
                    };
                };
            };
            /** @description `SCHED_ERR_BODY_TOO_LARGE`: Body over the limit */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_BODY_TOO_LARGE";
                    };
                };
            };
            /** @description `SCHED_ERR_UNSUPPORTED_MEDIA_TYPE`: Unsupported content type */
            415: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description `SCHED_ERR_WORKFLOW_INVALID`: Invalid workflow definition */
            422: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_WORKFLOW_INVALID";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    getWorkflow: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description UUID (v7, time-ordered) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A workflow: an ordered list of steps */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Workflow"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    replaceWorkflow: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description UUID (v7, time-ordered) */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WorkflowCreate"];
            };
        };
        responses: {
            /** @description A workflow: an ordered list of steps */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Workflow"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema; `SCHED_ERR_MALFORMED_JSON`: Malformed JSON body; `SCHED_ERR_JSON_UNSUPPORTED`: JSON nested too deep, or a string with a NUL character or an unpaired surrogate */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION" | "SCHED_ERR_MALFORMED_JSON" | "SCHED_ERR_JSON_UNSUPPORTED";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_NAME_TAKEN`: Name already used in this tenant */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NAME_TAKEN";
                    };
                };
            };
            /** @description `SCHED_ERR_BODY_TOO_LARGE`: Body over the limit */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_BODY_TOO_LARGE";
                    };
                };
            };
            /** @description `SCHED_ERR_UNSUPPORTED_MEDIA_TYPE`: Unsupported content type */
            415: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description `SCHED_ERR_WORKFLOW_INVALID`: Invalid workflow definition */
            422: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_WORKFLOW_INVALID";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    deleteWorkflow: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description UUID (v7, time-ordered) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_IN_USE`: Still in use */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_IN_USE";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    updateWorkflow: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description UUID (v7, time-ordered) */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WorkflowPatch"];
            };
        };
        responses: {
            /** @description A workflow: an ordered list of steps */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Workflow"];
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema; `SCHED_ERR_MALFORMED_JSON`: Malformed JSON body; `SCHED_ERR_JSON_UNSUPPORTED`: JSON nested too deep, or a string with a NUL character or an unpaired surrogate */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION" | "SCHED_ERR_MALFORMED_JSON" | "SCHED_ERR_JSON_UNSUPPORTED";
                    };
                };
            };
            /** @description `SCHED_ERR_UNAUTHORIZED`: Missing, invalid or expired credentials */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNAUTHORIZED";
                    };
                };
            };
            /** @description `SCHED_ERR_FORBIDDEN`: Role too low for this operation */
            403: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_FORBIDDEN";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_NAME_TAKEN`: Name already used in this tenant */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NAME_TAKEN";
                    };
                };
            };
            /** @description `SCHED_ERR_BODY_TOO_LARGE`: Body over the limit */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_BODY_TOO_LARGE";
                    };
                };
            };
            /** @description `SCHED_ERR_UNSUPPORTED_MEDIA_TYPE`: Unsupported content type */
            415: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description `SCHED_ERR_WORKFLOW_INVALID`: Invalid workflow definition */
            422: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_WORKFLOW_INVALID";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "ok";
                    };
                };
            };
        };
    };
    deliverWebhook: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description `standard`: the delivery id (deduplicated for 24 h)
                 * @example msg_2KWPBgLlAfxdpx2AI54pPJ85f4W
                 */
                "webhook-id"?: string;
                /**
                 * @description `standard`: `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>">`, several space-separated allowed
                 * @example v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=
                 */
                "webhook-signature"?: string;
                /**
                 * @description `standard`: unix seconds, within 5 minutes of now
                 * @example 1767225600
                 */
                "webhook-timestamp"?: string;
                /**
                 * @description `github`: the delivery id (deduplicated for 24 h)
                 * @example 72d3162e-cc78-11e3-81ab-4c9367dc0958
                 */
                "X-GitHub-Delivery"?: string;
                /**
                 * @description `github`: `sha256=<hex HMAC-SHA256 of the raw body>` keyed with the whole secret
                 * @example sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17
                 */
                "X-Hub-Signature-256"?: string;
            };
            path: {
                triggerId: string;
            };
            cookie?: never;
        };
        /** @description Any JSON object (at most the body limit), verified over its raw bytes before it is parsed */
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "ref": "refs/heads/main",
                 *       "after": "6dcb09b5b57875f334f61aebed695e2e4193db5e"
                 *     }
                 */
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {boolean} */
                        deduplicated: true;
                    } | {
                        /** @enum {boolean} */
                        filtered: true;
                    };
                };
            };
            /** @description Default Response */
            202: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /**
                         * Format: uuid
                         * @description UUID (v7, time-ordered)
                         */
                        executionId: string;
                    };
                };
            };
            /** @description `SCHED_ERR_VALIDATION`: Request does not match the schema; `SCHED_ERR_MALFORMED_JSON`: Malformed JSON body; `SCHED_ERR_JSON_UNSUPPORTED`: JSON nested too deep, or a string with a NUL character or an unpaired surrogate */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_VALIDATION" | "SCHED_ERR_MALFORMED_JSON" | "SCHED_ERR_JSON_UNSUPPORTED";
                    };
                };
            };
            /** @description `SCHED_ERR_WEBHOOK_SIGNATURE`: Webhook signature missing, wrong or stale */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_WEBHOOK_SIGNATURE";
                    };
                };
            };
            /** @description `SCHED_ERR_NOT_FOUND`: Not found */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_NOT_FOUND";
                    };
                };
            };
            /** @description `SCHED_ERR_BODY_TOO_LARGE`: Body over the limit */
            413: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_BODY_TOO_LARGE";
                    };
                };
            };
            /** @description `SCHED_ERR_UNSUPPORTED_MEDIA_TYPE`: Unsupported content type */
            415: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_UNSUPPORTED_MEDIA_TYPE";
                    };
                };
            };
            /** @description `SCHED_ERR_EVENT_TOO_COSTLY`: Matching the body against the triggers is too costly */
            422: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_EVENT_TOO_COSTLY";
                    };
                };
            };
            /** @description `SCHED_ERR_RATE_LIMITED`: Rate limited */
            429: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_RATE_LIMITED";
                    };
                };
            };
            /** @description `SCHED_ERR_INTERNAL`: Internal error */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_INTERNAL";
                    };
                };
            };
            /** @description `SCHED_ERR_DEPENDENCY_DOWN`: A dependency is unavailable */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"] & {
                        /** @enum {string} */
                        code?: "SCHED_ERR_DEPENDENCY_DOWN";
                    };
                };
            };
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text exposition format 0.0.4 */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
        };
    };
    getReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        postgres: "up" | "down";
                        redis: "up" | "down";
                        status: "ready" | "not_ready";
                    };
                };
            };
            /** @description Default Response */
            503: {
                headers: {
                    "X-Request-Id": components["headers"]["RequestId"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        postgres: "up" | "down";
                        redis: "up" | "down";
                        status: "ready" | "not_ready";
                    };
                };
            };
        };
    };
}
