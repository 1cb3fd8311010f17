-- Conflict profiles of over 96 minutes of the day become `F` (frequent): the conflict index counts them from
-- per-minute bitmaps (core CONFLICT_FREQUENT_MINUTES, docs/design-notes.md "The conflict index"). The
-- reconciler then rewrites their Redis membership (the stored `M…` one differs) and a write replaces it too.
UPDATE "schedules" SET "conflict_profile" = 'F' || substr("conflict_profile", 2)
 WHERE "conflict_profile" LIKE 'M%'
   AND array_length(string_to_array(substr("conflict_profile", 2), ','), 1) > 96;
