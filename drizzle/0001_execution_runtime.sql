ALTER TABLE "executions" ADD COLUMN "retry_policy" jsonb;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "available_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "held" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "cancel_requested_at" timestamp with time zone;