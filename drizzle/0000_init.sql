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
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
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
	"retry_policy" jsonb NOT NULL,
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
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
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
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
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
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_workflow_id_workflows_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflows"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "triggers" ADD CONSTRAINT "triggers_workflow_id_workflows_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflows"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_tenant_id_idx" ON "audit_log" USING btree ("tenant","id");--> statement-breakpoint
CREATE UNIQUE INDEX "executions_fire_uq" ON "executions" USING btree ("schedule_id","scheduled_for") WHERE kind = 'fire';--> statement-breakpoint
CREATE INDEX "executions_tenant_id_idx" ON "executions" USING btree ("tenant","id");--> statement-breakpoint
CREATE INDEX "executions_schedule_idx" ON "executions" USING btree ("schedule_id","id");--> statement-breakpoint
CREATE INDEX "executions_trigger_idx" ON "executions" USING btree ("trigger_id","id");--> statement-breakpoint
CREATE INDEX "executions_status_idx" ON "executions" USING btree ("tenant","status","id");--> statement-breakpoint
CREATE UNIQUE INDEX "schedules_tenant_name_uq" ON "schedules" USING btree ("tenant","name");--> statement-breakpoint
CREATE INDEX "schedules_tenant_id_idx" ON "schedules" USING btree ("tenant","id");--> statement-breakpoint
CREATE INDEX "schedules_workflow_idx" ON "schedules" USING btree ("workflow_id");--> statement-breakpoint
CREATE INDEX "schedules_due_idx" ON "schedules" USING btree ("next_run_at") WHERE state = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "triggers_tenant_name_uq" ON "triggers" USING btree ("tenant","name");--> statement-breakpoint
CREATE INDEX "triggers_tenant_id_idx" ON "triggers" USING btree ("tenant","id");--> statement-breakpoint
CREATE INDEX "triggers_workflow_idx" ON "triggers" USING btree ("workflow_id");--> statement-breakpoint
CREATE UNIQUE INDEX "workflows_tenant_name_uq" ON "workflows" USING btree ("tenant","name");--> statement-breakpoint
CREATE UNIQUE INDEX "workflows_tenant_id_uq" ON "workflows" USING btree ("tenant","id");