-- The registers are the queue (issue 14): a process claims ready registers of a task straight from
-- task_status, oldest public_timestamp first and name order on ties, with FOR UPDATE SKIP LOCKED,
-- and is woken by NOTIFY when registers become ready. pg-boss keeps the schedules and the system
-- tasks' queues; transient-task runs make no job rows.

-- The claim order, copied from the transient so the ready index can walk it: (order_at, order_name)
-- is (public_timestamp, or +infinity when it has none; name). Kept in step by the trigger below.
-- `cause`: why a ready register is to run, where something other than the backlog put it there
-- (retry, recovery, api, cli); a register claimed from the backlog with none runs as `sweep`.
-- `due_at`: not claimed before (a retry's back-off).
ALTER TABLE {{schema}}.task_status
  ADD COLUMN order_at   timestamptz NOT NULL DEFAULT 'infinity',
  ADD COLUMN order_name text NOT NULL DEFAULT '',
  ADD COLUMN cause      text,
  ADD COLUMN due_at     timestamptz;

UPDATE {{schema}}.task_status ts SET order_at = coalesce(t.public_timestamp, 'infinity'), order_name = t.name
  FROM {{schema}}.transient t WHERE t.id = ts.transient_id;

DROP INDEX {{schema}}.task_status_ready;
CREATE INDEX task_status_ready ON {{schema}}.task_status (task, order_at, order_name) WHERE ready;

CREATE FUNCTION {{schema}}.transient_reordered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE {{schema}}.task_status SET order_at = coalesce(NEW.public_timestamp, 'infinity'), order_name = NEW.name
    WHERE transient_id = NEW.id;
  RETURN NULL;
END
$$;
CREATE TRIGGER transient_reordered AFTER UPDATE OF public_timestamp, name ON {{schema}}.transient
  FOR EACH ROW WHEN (OLD.public_timestamp IS DISTINCT FROM NEW.public_timestamp OR OLD.name IS DISTINCT FROM NEW.name)
  EXECUTE FUNCTION {{schema}}.transient_reordered();

-- Wake-ups: one NOTIFY per task with registers that are ready after a statement, on a channel of
-- this schema's own (blast_ready_ + 16 hex digits of md5(schema): a channel name is at most 63
-- bytes). Notifications are sent at commit, and identical ones of a transaction are folded into one.
CREATE FUNCTION {{schema}}.task_status_ready_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('blast_ready_' || left(md5('{{schema}}'), 16), task) FROM (SELECT DISTINCT task FROM new_rows WHERE ready) r;
  RETURN NULL;
END
$$;
CREATE TRIGGER task_status_ready_inserted AFTER INSERT ON {{schema}}.task_status
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.task_status_ready_notify();
CREATE TRIGGER task_status_ready_updated AFTER UPDATE ON {{schema}}.task_status
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.task_status_ready_notify();
