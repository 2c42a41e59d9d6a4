-- blast-tasks storage. {{schema}} is replaced by the validated schema name (BLAST_SCHEMA).

CREATE TABLE {{schema}}.transient (
  id                integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name              text NOT NULL UNIQUE,
  ra_deg            double precision NOT NULL,
  dec_deg           double precision NOT NULL,
  public_timestamp  timestamptz,
  redshift          double precision,
  data              jsonb NOT NULL DEFAULT '{}',
  progress          smallint NOT NULL DEFAULT 0,
  processing_status text NOT NULL DEFAULT 'processing',
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX transient_processing_status ON {{schema}}.transient (processing_status, id);

-- One register per (transient, task): the primary key makes a second row impossible.
-- `ready` is maintained with every status change: not processed and every prerequisite holds.
-- The sweep reads only ready rows, so its cost grows with the eligible set, not with all rows.
CREATE TABLE {{schema}}.task_status (
  transient_id integer NOT NULL REFERENCES {{schema}}.transient (id) ON DELETE CASCADE,
  task         text NOT NULL,
  status       text NOT NULL DEFAULT 'not processed',
  ready        boolean NOT NULL DEFAULT false,
  owner        text,
  attempts     integer NOT NULL DEFAULT 0,
  started_at   timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  duration_ms  double precision,
  output       jsonb,
  last_error   text,
  PRIMARY KEY (transient_id, task)
);
CREATE INDEX task_status_ready ON {{schema}}.task_status (task, transient_id) WHERE ready;
CREATE INDEX task_status_processing ON {{schema}}.task_status (owner) WHERE status = 'processing';
CREATE INDEX task_status_by_status ON {{schema}}.task_status (task, status, transient_id);

-- Run history: one row per attempt, and one per operator action (reset, retrigger, reprocess).
CREATE TABLE {{schema}}.run (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transient   text,
  task        text NOT NULL,
  started_at  timestamptz NOT NULL,
  finished_at timestamptz,
  duration_ms double precision,
  status      text NOT NULL,
  error       text,
  stack       text,
  attempt     integer NOT NULL DEFAULT 0,
  worker      text,
  cause       text NOT NULL,
  action      text,
  output      jsonb
);
CREATE INDEX run_task ON {{schema}}.run (task, id);
CREATE INDEX run_transient ON {{schema}}.run (transient, id);

-- The tasks and statuses last seen in a manifest, with the runtime's enablement override.
CREATE TABLE {{schema}}.task (
  name             text PRIMARY KEY,
  kind             text NOT NULL,
  in_manifest      boolean NOT NULL DEFAULT true,
  declared_enabled boolean NOT NULL,
  enabled_override boolean,
  definition       jsonb NOT NULL,
  first_seen_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at     timestamptz NOT NULL DEFAULT now(),
  last_sweep_at    timestamptz
);

CREATE TABLE {{schema}}.status (
  message     text PRIMARY KEY,
  type        text NOT NULL,
  description text NOT NULL DEFAULT '',
  in_manifest boolean NOT NULL DEFAULT true
);

-- Live runtime processes. A claim whose owner stopped heart-beating is re-run by the reaper.
CREATE TABLE {{schema}}.worker (
  id           text PRIMARY KEY,
  host         text NOT NULL,
  pid          integer NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE {{schema}}.meta (
  key   text PRIMARY KEY,
  value jsonb NOT NULL
);
