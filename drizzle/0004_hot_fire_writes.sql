-- Cheaper per-fire writes.
-- schedules_due_idx is unused (the due-index lives in Redis): without it no indexed column of a schedule changes
-- when a fire is recorded or counted, so those updates are HOT; fillfactor 80 keeps room on each page for them.
-- The link indexes of executions leave out rows without the link (webhook and event starts have no schedule,
-- fires and manual runs no trigger): their non-HOT insert, start and end each maintain one index less.
DROP INDEX "schedules_due_idx";--> statement-breakpoint
DROP INDEX "executions_schedule_idx";--> statement-breakpoint
DROP INDEX "executions_trigger_idx";--> statement-breakpoint
CREATE INDEX "executions_schedule_idx" ON "executions" USING btree ("schedule_id","id") WHERE schedule_id is not null;--> statement-breakpoint
CREATE INDEX "executions_trigger_idx" ON "executions" USING btree ("trigger_id","id") WHERE trigger_id is not null;--> statement-breakpoint
ALTER TABLE "schedules" SET (fillfactor = 80);
