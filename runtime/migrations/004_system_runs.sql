-- System tasks have no register: this row is theirs. It makes a system task's run a claim like a
-- transient's (one run at a time across every process, its attempts counted, a dead owner's run
-- recovered by the reaper) and records the last period whose schedule fired, so that a schedule
-- fires once per period however many processes start, reload or change its frequency.
CREATE TABLE IF NOT EXISTS {{schema}}.system_run (
  task text PRIMARY KEY,
  -- idle: nothing to do; running: owner runs it; retry: due again at retry_at (a retry or a recovery)
  state text NOT NULL DEFAULT 'idle' CHECK (state IN ('idle', 'running', 'retry')),
  owner text,
  started_at timestamptz,
  -- attempts of the current run, counted at the claim; back to 0 when a run ends for good
  attempts integer NOT NULL DEFAULT 0,
  retry_at timestamptz,
  -- the start of the last period whose schedule fired (epoch-aligned, as the schedules are)
  fired_slot timestamptz
);
