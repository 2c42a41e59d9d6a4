-- Registers per (task, status), kept in step with every transition so GET /api/v1/tasks and the board
-- read a handful of rows instead of counting every register.
--
-- Statement-level triggers with transition tables append one delta row per (task, status) a statement
-- changes to task_count_delta: an append takes no lock another writer waits on, so claims and
-- completions of one task never queue behind a shared counter row. The store folds the deltas into
-- task_count now and then (storeSql compactCounts, one process at a time); a read sums both tables,
-- so its cost is the tasks × statuses plus the deltas since the last fold, whatever the number of
-- transients.

CREATE TABLE {{schema}}.task_count (
  task   text NOT NULL,
  status text NOT NULL,
  n      bigint NOT NULL,
  PRIMARY KEY (task, status)
);

CREATE TABLE {{schema}}.task_count_delta (
  id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task   text NOT NULL,
  status text NOT NULL,
  n      bigint NOT NULL
);

CREATE FUNCTION {{schema}}.task_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {{schema}}.task_count_delta (task, status, n)
    SELECT task, status, count(*) FROM new_rows GROUP BY task, status;
  RETURN NULL;
END
$$;

CREATE FUNCTION {{schema}}.task_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {{schema}}.task_count_delta (task, status, n)
    SELECT task, status, -count(*) FROM old_rows GROUP BY task, status;
  RETURN NULL;
END
$$;

-- only the (task, status) pairs whose count moved: a heartbeat-like update that keeps the status
-- writes nothing
CREATE FUNCTION {{schema}}.task_count_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {{schema}}.task_count_delta (task, status, n)
    SELECT task, status, sum(n) FROM (
      SELECT task, status, count(*) AS n FROM new_rows GROUP BY task, status
      UNION ALL
      SELECT task, status, -count(*) FROM old_rows GROUP BY task, status
    ) d GROUP BY task, status HAVING sum(n) <> 0;
  RETURN NULL;
END
$$;

-- The triggers first: creating them waits for the writers in flight and holds new ones off until
-- this migration commits, so the count below misses no transition and counts none twice.
CREATE TRIGGER task_count_inserted AFTER INSERT ON {{schema}}.task_status
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.task_count_inserted();
CREATE TRIGGER task_count_deleted AFTER DELETE ON {{schema}}.task_status
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.task_count_deleted();
CREATE TRIGGER task_count_updated AFTER UPDATE ON {{schema}}.task_status
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.task_count_updated();

INSERT INTO {{schema}}.task_count (task, status, n)
  SELECT task, status, count(*) FROM {{schema}}.task_status GROUP BY task, status;
