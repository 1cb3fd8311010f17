CREATE TABLE "event_outbox" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "event_outbox_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant" text NOT NULL,
	"type" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"republished_at" timestamp with time zone,
	"republishes" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "event_outbox_type_ck" CHECK ("event_outbox"."type" in ('execution.succeeded', 'execution.dead', 'schedule.completed'))
);
--> statement-breakpoint
DROP INDEX "triggers_event_idx";--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "caused_by_execution_id" uuid;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "chain_depth" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "triggers_event_idx" ON "triggers" USING btree ("tenant","event_type") WHERE type = 'event' and enabled;--> statement-breakpoint
ALTER TABLE "executions" ADD CONSTRAINT "executions_chain_ck" CHECK (("executions"."caused_by_execution_id" is null and "executions"."chain_depth" = 0) or ("executions"."caused_by_execution_id" is not null and "executions"."chain_depth" >= 1));