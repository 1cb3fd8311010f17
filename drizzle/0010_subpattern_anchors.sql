ALTER TABLE "triggers" ADD COLUMN "subpattern_anchors" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
CREATE INDEX "triggers_subpattern_anchors_idx" ON "triggers" USING gin ("subpattern_anchors");--> statement-breakpoint
-- Existing event triggers' anchors, as core subpatternAnchors: for each nested object (not the root) of two keys
-- or more, its anchor (core exactAnchorKey: the key whose value is a non-empty array of scalars only, with the
-- fewest distinct values, then the smallest key COLLATE "C"), one string per distinct value: the keys from the
-- root to the anchor as JSON strings joined by '.', '=', the value as jsonb prints it (numbers in plain decimal,
-- as core plainDecimal writes them).
UPDATE "triggers" t SET "subpattern_anchors" = coalesce((
  WITH RECURSIVE walk(v, path) AS (
    SELECT t.filter, ARRAY[]::text[]
    UNION ALL
    SELECT e.value, walk.path || e.key
      FROM walk, jsonb_each(CASE WHEN jsonb_typeof(walk.v) = 'object' THEN walk.v ELSE '{}' END) e
     WHERE jsonb_typeof(e.value) = 'object'
  ), anchored AS (
    SELECT w.path, w.v, (
      SELECT c.key FROM jsonb_each(w.v) c
       WHERE jsonb_typeof(c.value) = 'array'
         AND jsonb_array_length(CASE WHEN jsonb_typeof(c.value) = 'array' THEN c.value ELSE '[]' END) > 0
         AND NOT EXISTS (
           SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(c.value) = 'array' THEN c.value ELSE '[]' END) x
            WHERE jsonb_typeof(x) IN ('object', 'array'))
       ORDER BY (SELECT count(DISTINCT x)
                   FROM jsonb_array_elements(CASE WHEN jsonb_typeof(c.value) = 'array' THEN c.value ELSE '[]' END) x),
                c.key COLLATE "C"
       LIMIT 1) AS key
      FROM walk w
     WHERE cardinality(w.path) > 0 AND jsonb_typeof(w.v) = 'object'
       AND (SELECT count(*) FROM jsonb_object_keys(CASE WHEN jsonb_typeof(w.v) = 'object' THEN w.v ELSE '{}' END)) >= 2
  )
  SELECT array_agg(DISTINCT s.anchor)
    FROM (
      SELECT (SELECT string_agg(to_json(k)::text, '.' ORDER BY i) FROM unnest(a.path || a.key) WITH ORDINALITY p(k, i))
               || '=' || x::text AS anchor
        FROM anchored a, jsonb_array_elements(a.v -> a.key) x
       WHERE a.key IS NOT NULL) s
), '{}') WHERE t.filter IS NOT NULL AND t.type = 'event';--> statement-breakpoint
-- TENANT_MAX_UNANCHORED_SUBPATTERNS counted again (core countUnanchoredSubpatterns): a sub-pattern whose only
-- leaves of values hold prefixes or suffixes is no longer anchored (0009 counted it as anchored). The counting
-- trigger (0009) carries the differences into tenant_usage.
UPDATE "triggers" t SET "unanchored_subpatterns" = (
  WITH RECURSIVE walk(v, depth) AS (
    SELECT t.filter, 1
    UNION ALL
    SELECT e.value, walk.depth + 1
      FROM walk, jsonb_each(CASE WHEN jsonb_typeof(walk.v) = 'object' THEN walk.v ELSE '{}' END) e
     WHERE jsonb_typeof(e.value) = 'object'
  )
  SELECT count(*) FROM walk w
   WHERE w.depth > 1 AND jsonb_typeof(w.v) = 'object'
     AND (SELECT count(*) FROM jsonb_object_keys(CASE WHEN jsonb_typeof(w.v) = 'object' THEN w.v ELSE '{}' END)) >= 2
     AND NOT EXISTS (
       SELECT 1 FROM jsonb_each(CASE WHEN jsonb_typeof(w.v) = 'object' THEN w.v ELSE '{}' END) c
        WHERE jsonb_typeof(c.value) = 'array'
          AND jsonb_array_length(CASE WHEN jsonb_typeof(c.value) = 'array' THEN c.value ELSE '[]' END) > 0
          AND NOT EXISTS (
            SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(c.value) = 'array' THEN c.value ELSE '[]' END) x
             WHERE jsonb_typeof(x) IN ('object', 'array')))
) WHERE t.filter IS NOT NULL AND t.type = 'event';
