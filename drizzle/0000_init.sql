CREATE TABLE "audit_log" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant" text NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "event_receipts" (
	"tenant" text NOT NULL,
	"event_id" text NOT NULL,
	"type" text NOT NULL,
	"execution_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "event_receipts_pk" PRIMARY KEY("tenant","event_id")
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"tenant" text NOT NULL,
	"trigger_id" uuid NOT NULL,
	"delivery_id" text NOT NULL,
	"execution_id" uuid,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "webhook_deliveries_pk" PRIMARY KEY("trigger_id","delivery_id")
);
--> statement-breakpoint
CREATE TABLE "executions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant" text NOT NULL,
	"kind" text NOT NULL,
	"schedule_id" uuid,
	"trigger_id" uuid,
	"workflow_id" uuid NOT NULL,
	"scheduled_for" timestamp with time zone NOT NULL,
	"enqueued_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"status" text NOT NULL,
	"attempt" integer DEFAULT 0 NOT NULL,
	"priority" smallint DEFAULT 5 NOT NULL,
	"worker_id" text,
	"error" text,
	"retry_of" uuid,
	"input" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"steps" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "executions_kind_ck" CHECK ("executions"."kind" in ('fire', 'manual', 'redrive', 'event', 'webhook')),
	CONSTRAINT "executions_status_ck" CHECK ("executions"."status" in ('queued', 'running', 'retrying', 'succeeded', 'dead', 'skipped', 'missed', 'cancelled')),
	CONSTRAINT "executions_priority_ck" CHECK ("executions"."priority" between 0 and 9),
	CONSTRAINT "executions_attempt_ck" CHECK ("executions"."attempt" >= 0),
	CONSTRAINT "executions_fire_schedule_ck" CHECK ("executions"."kind" <> 'fire' or "executions"."schedule_id" is not null),
	CONSTRAINT "executions_redrive_ck" CHECK ("executions"."kind" <> 'redrive' or "executions"."retry_of" is not null)
);
--> statement-breakpoint
CREATE TABLE "schedules" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant" text NOT NULL,
	"workflow_id" uuid NOT NULL,
	"name" text NOT NULL,
	"cron_expression" text NOT NULL,
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"start_date" timestamp with time zone,
	"end_date" timestamp with time zone,
	"max_executions" integer,
	"input" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"priority" smallint DEFAULT 5 NOT NULL,
	"retry_policy" jsonb DEFAULT '{"maxAttempts":3,"initialDelayMs":1000,"backoffMultiplier":2,"maxDelayMs":300000,"jitter":"full"}'::jsonb NOT NULL,
	"overlap_policy" text DEFAULT 'skip' NOT NULL,
	"misfire_policy" text DEFAULT 'fire_once' NOT NULL,
	"catchup_window_ms" integer DEFAULT 60000 NOT NULL,
	"jitter_ms" integer DEFAULT 0 NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"state" text DEFAULT 'active' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"next_run_at" timestamp with time zone,
	"paused_note" text,
	"execution_count" integer DEFAULT 0 NOT NULL,
	"missed_count" integer DEFAULT 0 NOT NULL,
	"fire_minutes" smallint[] DEFAULT '{}'::smallint[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "schedules_state_ck" CHECK ("schedules"."state" in ('active', 'paused', 'completed', 'expired')),
	CONSTRAINT "schedules_overlap_policy_ck" CHECK ("schedules"."overlap_policy" in ('skip', 'allow', 'buffer_one', 'cancel_previous')),
	CONSTRAINT "schedules_misfire_policy_ck" CHECK ("schedules"."misfire_policy" in ('fire_once', 'fire_all', 'skip')),
	CONSTRAINT "schedules_priority_ck" CHECK ("schedules"."priority" between 0 and 9),
	CONSTRAINT "schedules_name_ck" CHECK (char_length("schedules"."name") between 1 and 200),
	CONSTRAINT "schedules_max_executions_ck" CHECK ("schedules"."max_executions" is null or "schedules"."max_executions" >= 1),
	CONSTRAINT "schedules_dates_ck" CHECK ("schedules"."end_date" is null or "schedules"."start_date" is null or "schedules"."end_date" >= "schedules"."start_date"),
	CONSTRAINT "schedules_catchup_window_ck" CHECK ("schedules"."catchup_window_ms" >= 0),
	CONSTRAINT "schedules_jitter_ck" CHECK ("schedules"."jitter_ms" >= 0),
	CONSTRAINT "schedules_counts_ck" CHECK ("schedules"."execution_count" >= 0 and "schedules"."missed_count" >= 0)
);
--> statement-breakpoint
CREATE TABLE "triggers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant" text NOT NULL,
	"workflow_id" uuid NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"event_type" text,
	"filter" jsonb,
	"scheme" text,
	"rate_limit_per_minute" integer,
	"secret_ciphertext" text,
	"previous_secret_ciphertext" text,
	"previous_secret_expires_at" timestamp with time zone,
	"retry_policy" jsonb,
	"priority" smallint DEFAULT 5 NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "triggers_type_ck" CHECK ("triggers"."type" in ('event', 'webhook')),
	CONSTRAINT "triggers_scheme_ck" CHECK ("triggers"."scheme" is null or "triggers"."scheme" in ('standard', 'github')),
	CONSTRAINT "triggers_priority_ck" CHECK ("triggers"."priority" between 0 and 9),
	CONSTRAINT "triggers_rate_limit_ck" CHECK ("triggers"."rate_limit_per_minute" is null or "triggers"."rate_limit_per_minute" >= 1),
	CONSTRAINT "triggers_name_ck" CHECK (char_length("triggers"."name") between 1 and 200)
);
--> statement-breakpoint
CREATE TABLE "workflows" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"steps" jsonb NOT NULL,
	"timeout_ms" integer,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workflows_tenant_id_uq" UNIQUE("tenant","id"),
	CONSTRAINT "workflows_timeout_ms_ck" CHECK ("workflows"."timeout_ms" is null or "workflows"."timeout_ms" > 0)
);
--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_workflow_fk" FOREIGN KEY ("tenant","workflow_id") REFERENCES "workflows"("tenant","id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "triggers" ADD CONSTRAINT "triggers_workflow_fk" FOREIGN KEY ("tenant","workflow_id") REFERENCES "workflows"("tenant","id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_tenant_id_idx" ON "audit_log" USING btree ("tenant","id");--> statement-breakpoint
CREATE INDEX "event_receipts_received_at_idx" ON "event_receipts" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_received_at_idx" ON "webhook_deliveries" USING btree ("received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "executions_fire_uq" ON "executions" USING btree ("schedule_id","scheduled_for") WHERE kind = 'fire';--> statement-breakpoint
CREATE INDEX "executions_tenant_id_idx" ON "executions" USING btree ("tenant","id");--> statement-breakpoint
CREATE INDEX "executions_schedule_idx" ON "executions" USING btree ("schedule_id","id");--> statement-breakpoint
CREATE INDEX "executions_trigger_idx" ON "executions" USING btree ("trigger_id","id");--> statement-breakpoint
CREATE INDEX "executions_status_idx" ON "executions" USING btree ("tenant","status","id");--> statement-breakpoint
CREATE INDEX "executions_unfinished_idx" ON "executions" USING btree ("schedule_id","scheduled_for") WHERE status in ('queued', 'running', 'retrying');--> statement-breakpoint
CREATE UNIQUE INDEX "schedules_tenant_name_uq" ON "schedules" USING btree ("tenant","name");--> statement-breakpoint
CREATE INDEX "schedules_tenant_id_idx" ON "schedules" USING btree ("tenant","id");--> statement-breakpoint
CREATE INDEX "schedules_workflow_idx" ON "schedules" USING btree ("tenant","workflow_id","id");--> statement-breakpoint
CREATE INDEX "schedules_due_idx" ON "schedules" USING btree ("next_run_at") WHERE state = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "triggers_tenant_name_uq" ON "triggers" USING btree ("tenant","name");--> statement-breakpoint
CREATE INDEX "triggers_tenant_id_idx" ON "triggers" USING btree ("tenant","id");--> statement-breakpoint
CREATE INDEX "triggers_workflow_idx" ON "triggers" USING btree ("tenant","workflow_id","id");--> statement-breakpoint
CREATE INDEX "triggers_event_idx" ON "triggers" USING btree ("tenant") WHERE type = 'event' and enabled;--> statement-breakpoint
CREATE UNIQUE INDEX "workflows_tenant_name_uq" ON "workflows" USING btree ("tenant","name");