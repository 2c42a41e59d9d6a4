-- The transient list filtered by a task's status reads the registers in that status, not every
-- register (issue 14). Migration 007 dropped task_status_by_status (task, status, transient_id) to
-- write less per run; the list then probed, or hashed, all of a task's registers: a status few
-- transients hold (failed, not processed) took about a second at 1,000,000 transients × 17 tasks.
-- This index holds the registers in any status but two: `processed`, which most registers end in
-- and which the list finds by walking the transients in order, and `processing`, which the claims
-- write and the small partial index task_status_processing already holds. A run's claim and its
-- result add no entry here (only a run that ends in another status does); a new transient's
-- registers, all `not processed`, add one each.
CREATE INDEX task_status_by_status ON {{schema}}.task_status (task, status, transient_id)
  WHERE status <> 'processed' AND status <> 'processing';

-- Which statuses each task's registers hold, together: the planner otherwise multiplies the share of
-- a task by the share of a status, and when one task holds all of a status (ten thousand transients
-- waiting on the same task) it guesses a few hundred, and collects and sorts them all instead of
-- walking the list until its page is full.
CREATE STATISTICS {{schema}}.task_status_task_status (mcv) ON task, status FROM {{schema}}.task_status;
-- An upgrade of a database that holds registers reads them now (autovacuum's next analyse may be far
-- off). A new schema's empty table is left unanalysed: analysed empty, the planner takes it for a
-- table of a few rows, and the statements each connection plans once (complete_runs()) would keep
-- plans made for that (the 17-task latency was a few ms slower: bench/results/
-- 2026-12-07-analyze-empty-alternated.json).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM {{schema}}.task_status) THEN
    ANALYZE {{schema}}.task_status;
  END IF;
END
$$;
