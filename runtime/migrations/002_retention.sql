-- Retention (runtime/retention.ts) prunes run history in small batches; these indexes keep each
-- batch an index range instead of a scan of the whole history.

-- history older than BLAST_HISTORY_DAYS
CREATE INDEX IF NOT EXISTS run_started_at ON {{schema}}.run (started_at);

-- the newest BLAST_HISTORY_PER_TASK runs of one (transient, task)
CREATE INDEX IF NOT EXISTS run_transient_task ON {{schema}}.run (transient, task, id);
