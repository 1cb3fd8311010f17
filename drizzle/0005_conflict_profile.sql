-- The conflict index's compact profile of a schedule's fire minutes (core conflictProfile) replaces the list of
-- minutes: '' none, 'D' dense (every minute within one of a fire), 'H<q,...>' the same minutes in every hour,
-- 'M<m,...>' anything else. Existing rows are converted here; fire_minutes is dropped by the next migration.
ALTER TABLE "schedules" ADD COLUMN "conflict_profile" text DEFAULT '' NOT NULL;--> statement-breakpoint
UPDATE "schedules" s SET "conflict_profile" = p.profile
  FROM (
    SELECT id,
      CASE
        WHEN (SELECT count(DISTINCT (m + d + 1440) % 1440) FROM unnest(fire_minutes) m, (VALUES (-1), (0), (1)) v(d)) = 1440
          THEN 'D'
        WHEN (SELECT count(DISTINCT m % 60) FROM unnest(fire_minutes) m) * 24 = (SELECT count(DISTINCT m) FROM unnest(fire_minutes) m)
          THEN 'H' || (SELECT string_agg(q::text, ',' ORDER BY q) FROM (SELECT DISTINCT m % 60 AS q FROM unnest(fire_minutes) m) x)
        ELSE 'M' || (SELECT string_agg(m::text, ',' ORDER BY m) FROM (SELECT DISTINCT m FROM unnest(fire_minutes) m) x)
      END AS profile
    FROM "schedules"
    WHERE cardinality(fire_minutes) > 0
  ) p
 WHERE s.id = p.id;
