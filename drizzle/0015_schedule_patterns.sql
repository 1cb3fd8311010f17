CREATE TABLE "schedule_pattern_refresh" (
	"singleton" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"watermark_id" uuid NOT NULL,
	"refreshed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "schedule_patterns" (
	"schedule_id" uuid PRIMARY KEY NOT NULL,
	"tenant" text NOT NULL,
	"runs" integer NOT NULL,
	"p50_duration_ms" integer,
	"p95_duration_ms" integer,
	"failure_rate" double precision NOT NULL,
	"late_p95_ms" integer,
	"unfinished" integer NOT NULL,
	"oldest_id" uuid,
	"refreshed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "schedule_patterns_tenant_idx" ON "schedule_patterns" USING btree ("tenant");