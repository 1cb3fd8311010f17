-- executions.error: a plain string becomes { message, class?, step?, status?, reason? } (http-api.md,
-- Executions). Old strings are kept whole as `message`; "step <name>: …" gives `step`, and "step <name>: HTTP
-- <code>" also `status`. Rewrites the table once (ACCESS EXCLUSIVE while it runs).
ALTER TABLE "executions" ALTER COLUMN "error" SET DATA TYPE jsonb USING (
  CASE WHEN "error" IS NULL THEN NULL ELSE jsonb_strip_nulls(jsonb_build_object(
    'message', "error",
    'step', substring("error" from '^step ([A-Za-z0-9_.-]+): '),
    'status', (substring("error" from '^step [A-Za-z0-9_.-]+: HTTP ([1-5][0-9][0-9])$'))::int
  )) END
);--> statement-breakpoint
-- Before this migration a fire was skipped only by its overlapPolicy.
UPDATE "executions" SET "error" = '{"message":"an earlier execution of the schedule was unfinished (overlapPolicy)","reason":"overlap"}'::jsonb
 WHERE "kind" = 'fire' AND "status" = 'skipped' AND "error" IS NULL;
