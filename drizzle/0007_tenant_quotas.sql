CREATE TABLE "tenant_usage" (
	"tenant" text PRIMARY KEY NOT NULL,
	"schedules" integer DEFAULT 0 NOT NULL,
	"triggers" integer DEFAULT 0 NOT NULL,
	"filter_matchers" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "triggers" ADD COLUMN "filter_matchers" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Leaf entries of existing filters (the same count as core countFilterMatchers: the elements of every array
-- reached through objects).
UPDATE "triggers" t SET "filter_matchers" = (
  WITH RECURSIVE walk(v) AS (
    SELECT t.filter
    UNION ALL
    SELECT e.value FROM walk, jsonb_each(walk.v) e WHERE jsonb_typeof(walk.v) = 'object'
  )
  SELECT coalesce(sum(jsonb_array_length(v)), 0) FROM walk WHERE jsonb_typeof(v) = 'array'
) WHERE t.filter IS NOT NULL;--> statement-breakpoint
INSERT INTO "tenant_usage" (tenant, schedules, triggers, filter_matchers)
SELECT tenant, sum(s), sum(t), sum(f) FROM (
  SELECT tenant, count(*) AS s, 0 AS t, 0 AS f FROM "schedules" GROUP BY tenant
  UNION ALL
  SELECT tenant, 0, count(*), sum(filter_matchers) FROM "triggers" GROUP BY tenant
) x GROUP BY tenant;--> statement-breakpoint
-- Statement-level triggers keep tenant_usage exact for every writer (the API, the worker, SQL by hand): one
-- UPDATE per tenant per statement, from the transition tables; a TRUNCATE empties the counts.
CREATE FUNCTION punctual_count_schedules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    UPDATE tenant_usage SET schedules = 0 WHERE schedules <> 0;
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO tenant_usage AS u (tenant, schedules)
      SELECT tenant, count(*) FROM new_rows GROUP BY tenant
      ON CONFLICT (tenant) DO UPDATE SET schedules = u.schedules + excluded.schedules;
  ELSE
    UPDATE tenant_usage u SET schedules = u.schedules - d.n
      FROM (SELECT tenant, count(*) AS n FROM old_rows GROUP BY tenant) d WHERE u.tenant = d.tenant;
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER schedules_count_insert AFTER INSERT ON "schedules"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION punctual_count_schedules();--> statement-breakpoint
CREATE TRIGGER schedules_count_delete AFTER DELETE ON "schedules"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION punctual_count_schedules();--> statement-breakpoint
CREATE TRIGGER schedules_count_truncate AFTER TRUNCATE ON "schedules"
  FOR EACH STATEMENT EXECUTE FUNCTION punctual_count_schedules();--> statement-breakpoint
CREATE FUNCTION punctual_count_triggers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    UPDATE tenant_usage SET triggers = 0, filter_matchers = 0 WHERE triggers <> 0 OR filter_matchers <> 0;
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO tenant_usage AS u (tenant, triggers, filter_matchers)
      SELECT tenant, count(*), sum(filter_matchers) FROM new_rows GROUP BY tenant
      ON CONFLICT (tenant) DO UPDATE
        SET triggers = u.triggers + excluded.triggers, filter_matchers = u.filter_matchers + excluded.filter_matchers;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE tenant_usage u SET triggers = u.triggers - d.n, filter_matchers = u.filter_matchers - d.f
      FROM (SELECT tenant, count(*) AS n, sum(filter_matchers) AS f FROM old_rows GROUP BY tenant) d
     WHERE u.tenant = d.tenant;
  ELSE
    UPDATE tenant_usage u SET filter_matchers = u.filter_matchers + d.f
      FROM (SELECT tenant, sum(f) AS f FROM (
              SELECT tenant, filter_matchers AS f FROM new_rows
              UNION ALL
              SELECT tenant, -filter_matchers FROM old_rows) x GROUP BY tenant) d
     WHERE u.tenant = d.tenant AND d.f <> 0;
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER triggers_count_insert AFTER INSERT ON "triggers"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION punctual_count_triggers();--> statement-breakpoint
CREATE TRIGGER triggers_count_update AFTER UPDATE ON "triggers"
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION punctual_count_triggers();--> statement-breakpoint
CREATE TRIGGER triggers_count_delete AFTER DELETE ON "triggers"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION punctual_count_triggers();--> statement-breakpoint
CREATE TRIGGER triggers_count_truncate AFTER TRUNCATE ON "triggers"
  FOR EACH STATEMENT EXECUTE FUNCTION punctual_count_triggers();
