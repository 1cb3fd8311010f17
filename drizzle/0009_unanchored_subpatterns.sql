ALTER TABLE "tenant_usage" ADD COLUMN "unanchored_subpatterns" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "triggers" ADD COLUMN "unanchored_subpatterns" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Unanchored multi-key sub-patterns of existing event trigger filters, as core countUnanchoredSubpatterns: nested
-- objects (not the root) of two keys or more, none of whose values is a non-empty array holding only scalars and
-- { prefix } / { suffix } matchers (a leaf that only values can satisfy).
UPDATE "triggers" t SET "unanchored_subpatterns" = (
  WITH RECURSIVE walk(v, depth) AS (
    SELECT t.filter, 1
    UNION ALL
    SELECT e.value, walk.depth + 1 FROM walk, jsonb_each(walk.v) e WHERE jsonb_typeof(walk.v) = 'object'
  )
  SELECT count(*) FROM walk o
   WHERE o.depth > 1 AND jsonb_typeof(o.v) = 'object'
     AND (SELECT count(*) FROM jsonb_object_keys(CASE WHEN jsonb_typeof(o.v) = 'object' THEN o.v ELSE '{}' END)) >= 2
     AND NOT EXISTS (
       SELECT 1 FROM jsonb_each(CASE WHEN jsonb_typeof(o.v) = 'object' THEN o.v ELSE '{}' END) c
        WHERE jsonb_typeof(c.value) = 'array'
          AND jsonb_array_length(CASE WHEN jsonb_typeof(c.value) = 'array' THEN c.value ELSE '[]' END) > 0
          AND NOT EXISTS (
            SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(c.value) = 'array' THEN c.value ELSE '[]' END) x
             WHERE CASE jsonb_typeof(x)
                     WHEN 'object' THEN NOT (
                       (SELECT count(*) FROM jsonb_object_keys(CASE WHEN jsonb_typeof(x) = 'object' THEN x ELSE '{}' END)) = 1
                       AND coalesce(jsonb_typeof(coalesce(x->'prefix', x->'suffix')) = 'string', false))
                     WHEN 'array' THEN true
                     ELSE false
                   END))
) WHERE t.filter IS NOT NULL AND t.type = 'event';--> statement-breakpoint
UPDATE "tenant_usage" u SET "unanchored_subpatterns" = x.n
  FROM (SELECT tenant, sum(unanchored_subpatterns) AS n FROM "triggers" GROUP BY tenant) x
 WHERE u.tenant = x.tenant AND x.n <> 0;--> statement-breakpoint
CREATE OR REPLACE FUNCTION punctual_count_triggers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    UPDATE tenant_usage SET triggers = 0, filter_matchers = 0, unanchored_subpatterns = 0
     WHERE triggers <> 0 OR filter_matchers <> 0 OR unanchored_subpatterns <> 0;
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO tenant_usage AS u (tenant, triggers, filter_matchers, unanchored_subpatterns)
      SELECT tenant, count(*), sum(filter_matchers), sum(unanchored_subpatterns) FROM new_rows GROUP BY tenant
      ON CONFLICT (tenant) DO UPDATE
        SET triggers = u.triggers + excluded.triggers, filter_matchers = u.filter_matchers + excluded.filter_matchers,
            unanchored_subpatterns = u.unanchored_subpatterns + excluded.unanchored_subpatterns;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE tenant_usage u SET triggers = u.triggers - d.n, filter_matchers = u.filter_matchers - d.f,
                              unanchored_subpatterns = u.unanchored_subpatterns - d.a
      FROM (SELECT tenant, count(*) AS n, sum(filter_matchers) AS f, sum(unanchored_subpatterns) AS a
              FROM old_rows GROUP BY tenant) d
     WHERE u.tenant = d.tenant;
  ELSE
    UPDATE tenant_usage u SET filter_matchers = u.filter_matchers + d.f,
                              unanchored_subpatterns = u.unanchored_subpatterns + d.a
      FROM (SELECT tenant, sum(f) AS f, sum(a) AS a FROM (
              SELECT tenant, filter_matchers AS f, unanchored_subpatterns AS a FROM new_rows
              UNION ALL
              SELECT tenant, -filter_matchers, -unanchored_subpatterns FROM old_rows) x GROUP BY tenant) d
     WHERE u.tenant = d.tenant AND (d.f <> 0 OR d.a <> 0);
  END IF;
  RETURN NULL;
END $$;
