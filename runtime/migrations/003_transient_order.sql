-- GET /api/v1/transients lists oldest public_timestamp first, name on ties, those without one last
-- (runtime/sql.ts transientList): this index walks that order, so a page costs O(page).
CREATE INDEX transient_list_order ON {{schema}}.transient ((coalesce(public_timestamp, 'infinity'::timestamptz)), name);
