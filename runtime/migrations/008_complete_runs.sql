-- A batch of run results in one call (issue 14). A result's write took four round trips: BEGIN, the
-- locked read of the transients' registers, the write, COMMIT. complete_runs() does the same work in
-- one statement the client sends without a transaction of its own: it locks, decides which results
-- still own their register, writes them, re-evaluates readiness and progress, records the history,
-- and claims for the caller the registers made ready that it runs at once (a push).

-- A transient's readiness and progress from its statuses, as runtime/plan.ts evaluate() decides them
-- (test/engine/evaluate-sql.test.ts holds the two to the same answers). plan: {tasks: [{n: name,
-- p: [[parent, required status]...]}...] in topological order, settling: [statuses], errors:
-- [error-type statuses], np: the status of a task not processed}; statuses: {task: status}.
-- It loops by index over the plan's arrays: a FOR … IN SELECT loop runs a query per task (10× slower).
CREATE FUNCTION {{schema}}.evaluate(plan jsonb, statuses jsonb,
  OUT ready text[], OUT progress int, OUT processing_status text)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  tasks jsonb := plan->'tasks';
  t jsonb;
  p jsonb;
  task_name text;
  own text;
  parent_status text;
  holds boolean;
  stuck boolean;
  np text := plan->>'np';
  blocked text[] := '{}';
  remaining int := 0;
  total int := jsonb_array_length(plan->'tasks');
  any_error boolean := false;
BEGIN
  ready := '{}';
  FOR i IN 0 .. total - 1 LOOP
    t := tasks->i;
    task_name := t->>'n';
    own := coalesce(statuses->>task_name, np);
    IF plan->'errors' ? own THEN any_error := true; END IF;
    IF own = 'processing' THEN remaining := remaining + 1; END IF;
    CONTINUE WHEN own <> np;
    holds := true;
    stuck := false;
    FOR j IN 0 .. jsonb_array_length(t->'p') - 1 LOOP
      p := t->'p'->j;
      parent_status := coalesce(statuses->>(p->>0), np);
      CONTINUE WHEN parent_status = p->>1;
      holds := false;
      IF (p->>0) = ANY(blocked) OR NOT (plan->'settling' ? parent_status) THEN stuck := true; END IF;
    END LOOP;
    IF holds THEN ready := ready || task_name; END IF;
    IF stuck THEN blocked := blocked || task_name; ELSE remaining := remaining + 1; END IF;
  END LOOP;
  -- Math.round(100 * (1 - remaining / total)) in the same float8 arithmetic
  progress := CASE WHEN total = 0 THEN 100 ELSE floor(100 * (1 - remaining::float8 / total) + 0.5)::int END;
  processing_status := CASE WHEN progress < 100 THEN 'processing' WHEN any_error THEN 'blocked' ELSE 'completed' END;
END
$$;

-- results: one object per run that ended, its history row and its register's write:
--   transient (name), task, started_at, finished_at, duration_ms, status, error, stack, attempt (the
--   claim's), worker, cause, action, output; id (the transient's), set_output, attempts (a released
--   run's: the attempt not counted), next_cause and due_seconds (a retry).
-- A result whose register is no longer its claim (reset or recovered while the run was in flight)
-- writes nothing but its history row, with `discarded` as its error.
-- Registers made ready here whose task is in claim_tasks are claimed for owner, while their task is
-- enabled, at most claim_max of one task and claim_batches tasks. Returns the registers made ready
-- and due: those claimed with their transient and every other task's state, the rest bare.
--
-- Every statement walks the batch (its ids, its results, the arrays it builds) into primary keys,
-- with LATERAL lookups where a join could be planned another way: a plan chosen from guessed sizes
-- read whole tables, and joined one CTE with another row by row (seen at 10,000 transients with four
-- processes).
CREATE FUNCTION {{schema}}.complete_runs(results jsonb, plan jsonb, owner text, discarded text,
  claim_tasks text[], claim_max int, claim_batches int)
RETURNS TABLE (id int, task text, claimed boolean, name text, public_timestamp timestamptz, attempts int,
  ra_deg float8, dec_deg float8, redshift float8, data jsonb, tasks jsonb, cause text)
LANGUAGE plpgsql VOLATILE
-- Its statements' cost estimates can pass jit_above_cost: compiling them took far longer than
-- running them (seen with four processes at 10,000 transients).
SET jit = off
-- Each statement is planned once per connection, not again at most calls. Their generic plans read
-- by key (above; test/engine/run-path-plans.test.ts checks them on PostgreSQL).
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
DECLARE
  ids int[];
  -- the results by `id task attempt`: a register owned by `owner` at that attempt is that result's
  by_claim jsonb;
  -- the registers to write, as parallel arrays: transient, task, ready before, ready after, and the
  -- result written to it (null: readiness only)
  c_ids int[];
  c_tasks text[];
  c_ready boolean[];
  c_now boolean[];
  c_results jsonb[];
  -- each transient's progress and processing status
  p_ids int[];
  p_progress int[];
  p_status text[];
  -- `id task attempt` of the results written
  ours text[];
  picked text[];
BEGIN
  SELECT array_agg(DISTINCT (x.v->>'id')::int ORDER BY (x.v->>'id')::int),
    jsonb_object_agg((x.v->>'id') || ' ' || (x.v->>'task') || ' ' || (x.v->>'attempt'), x.v)
  INTO ids, by_claim FROM jsonb_array_elements(results) AS x(v);
  -- every writer locks a transient's registers in (transient_id, task) order; the statements below
  -- start after the locks are held, and read what was committed before
  PERFORM 1 FROM unnest(ids) AS i(id)
    CROSS JOIN LATERAL (SELECT 1 FROM {{schema}}.task_status ts WHERE ts.transient_id = i.id ORDER BY ts.task FOR UPDATE) l;

  -- each transient's statuses as the results leave them, evaluated by the graph once per distinct
  -- set of statuses (a batch of one task's results is mostly a few)
  WITH g AS MATERIALIZED (
    SELECT i.id, a.statuses, a.tasks, a.readys, a.results
    FROM unnest(ids) AS i(id)
    CROSS JOIN LATERAL (
      SELECT jsonb_object_agg(ts.task, coalesce(o.v->>'status', ts.status)) AS statuses,
        array_agg(ts.task) AS tasks, array_agg(ts.ready) AS readys, array_agg(o.v) AS results
      FROM {{schema}}.task_status ts
      CROSS JOIN LATERAL (SELECT CASE WHEN ts.status = 'processing' AND ts.owner = complete_runs.owner
        THEN by_claim -> (ts.transient_id || ' ' || ts.task || ' ' || ts.attempts) END AS v) o
      WHERE ts.transient_id = i.id
    ) a
    WHERE a.tasks IS NOT NULL
  ), e AS MATERIALIZED (
    SELECT d.statuses, v.ready, v.progress, v.processing_status
    FROM (SELECT DISTINCT g.statuses FROM g) d CROSS JOIN LATERAL {{schema}}.evaluate(plan, d.statuses) v
  ), j AS MATERIALIZED (
    SELECT g.id, g.tasks, g.readys, g.results, e.ready AS now_ready, e.progress, e.processing_status
    FROM g JOIN e ON e.statuses = g.statuses
  ), r AS MATERIALIZED (
    SELECT j.id, x.task, x.ready, x.task = ANY(j.now_ready) AS now_ready, x.result
    FROM j CROSS JOIN LATERAL unnest(j.tasks, j.readys, j.results) AS x(task, ready, result)
  )
  SELECT c.*, p.*, q.*
  INTO c_ids, c_tasks, c_ready, c_now, c_results, p_ids, p_progress, p_status, ours
  FROM (SELECT array_agg(r.id), array_agg(r.task), array_agg(r.ready), array_agg(r.now_ready), array_agg(r.result)
        FROM r WHERE r.result IS NOT NULL OR r.now_ready <> r.ready) c,
    (SELECT array_agg(j.id), array_agg(j.progress), array_agg(j.processing_status) FROM j) p,
    (SELECT coalesce(array_agg(r.id || ' ' || r.task || ' ' || (r.result->>'attempt')), '{}') FROM r WHERE r.result IS NOT NULL) q;

  -- the registers made ready through their prerequisites that this call claims (a push): of the
  -- tasks in claim_tasks, few of one task (claim_max), and no more tasks than claim_batches
  SELECT coalesce(array_agg(q.task), '{}') INTO picked FROM (
    SELECT u.task FROM unnest(c_ids, c_tasks, c_ready, c_now, c_results) AS u(id, task, ready, now_ready, result)
    WHERE u.now_ready AND NOT u.ready AND u.result IS NULL AND u.task = ANY(claim_tasks)
    GROUP BY u.task HAVING count(*) <= claim_max ORDER BY min(u.id), u.task LIMIT greatest(claim_batches, 0)
  ) q;

  RETURN QUERY
  WITH u AS (
    SELECT u.id, u.task, u.ready, u.now_ready, u.result IS NOT NULL AS written, u.result->>'status' AS status,
      (u.result->>'duration_ms')::float8 AS duration_ms, coalesce((u.result->>'set_output')::boolean, false) AS set_output,
      nullif(u.result->'output', 'null'::jsonb) AS output, u.result->>'error' AS error, (u.result->>'attempts')::int AS attempts,
      u.result->>'next_cause' AS next_cause, (u.result->>'due_seconds')::float8 AS due_seconds
    FROM unnest(c_ids, c_tasks, c_ready, c_now, c_results) AS u(id, task, ready, now_ready, result)
  ), w AS (
    UPDATE {{schema}}.task_status ts SET
      ready = u.now_ready AND k.name IS NULL,
      status = CASE WHEN k.name IS NOT NULL THEN 'processing' WHEN u.written THEN u.status ELSE ts.status END,
      owner = CASE WHEN k.name IS NOT NULL THEN complete_runs.owner WHEN u.written THEN NULL ELSE ts.owner END,
      attempts = CASE WHEN k.name IS NOT NULL THEN ts.attempts + 1 ELSE coalesce(u.attempts, ts.attempts) END,
      started_at = CASE WHEN k.name IS NOT NULL THEN now() ELSE ts.started_at END,
      updated_at = CASE WHEN k.name IS NOT NULL OR u.written THEN now() ELSE ts.updated_at END,
      duration_ms = coalesce(u.duration_ms, ts.duration_ms),
      output = CASE WHEN u.set_output THEN u.output ELSE ts.output END,
      last_error = CASE WHEN u.written THEN u.error ELSE ts.last_error END,
      -- a result sets why it is to run next and when (a retry's back-off); a register made ready
      -- through its prerequisites starts with neither, and runs as a push while its task is enabled
      cause = CASE WHEN k.name IS NOT NULL THEN NULL WHEN u.written THEN u.next_cause
        WHEN u.now_ready AND NOT u.ready THEN (SELECT 'push' FROM {{schema}}.task e WHERE e.name = ts.task AND coalesce(e.enabled_override, e.declared_enabled))
        ELSE ts.cause END,
      due_at = CASE WHEN k.name IS NOT NULL THEN NULL WHEN u.written THEN now() + make_interval(secs => u.due_seconds)
        WHEN u.now_ready AND NOT u.ready THEN NULL ELSE ts.due_at END
    FROM u LEFT JOIN {{schema}}.task k ON u.task = ANY(picked) AND u.now_ready AND NOT u.ready AND NOT u.written
      AND k.name = u.task AND k.in_manifest AND coalesce(k.enabled_override, k.declared_enabled)
    WHERE ts.transient_id = u.id AND ts.task = u.task
    RETURNING ts.transient_id, ts.task, ts.attempts, k.name IS NOT NULL AS claimed,
      u.now_ready AND NOT u.ready AND u.due_seconds IS NULL AS became_ready
  )
  SELECT w.transient_id, w.task, w.claimed, t.name, t.public_timestamp, w.attempts,
    CASE WHEN w.claimed THEN t.ra_deg END, CASE WHEN w.claimed THEN t.dec_deg END, CASE WHEN w.claimed THEN t.redshift END,
    CASE WHEN w.claimed THEN t.data END,
    -- the other tasks' states after this call's results (this statement reads them as they were before
    -- it, so the results are laid over them; a sibling claimed here shows as it was)
    CASE WHEN w.claimed THEN (
      SELECT coalesce(jsonb_object_agg(x.task, jsonb_build_object('status', coalesce(o.v->>'status', x.status),
        'output', CASE WHEN (o.v->>'set_output')::boolean THEN nullif(o.v->'output', 'null'::jsonb) ELSE x.output END)), '{}'::jsonb)
      FROM {{schema}}.task_status x
      CROSS JOIN LATERAL (SELECT CASE WHEN x.status = 'processing' AND x.owner = complete_runs.owner
        THEN by_claim -> (x.transient_id || ' ' || x.task || ' ' || x.attempts) END AS v) o
      WHERE x.transient_id = w.transient_id AND x.task <> w.task) END,
    CASE WHEN w.claimed THEN 'push' END
  FROM w CROSS JOIN LATERAL (SELECT x.name, x.public_timestamp, x.ra_deg, x.dec_deg, x.redshift, x.data
    FROM {{schema}}.transient x WHERE x.id = w.transient_id) t
  WHERE w.became_ready
  ORDER BY w.transient_id, w.task;

  UPDATE {{schema}}.transient t SET progress = p.progress, processing_status = p.processing_status
  FROM unnest(p_ids, p_progress, p_status) AS p(id, progress, processing_status)
  WHERE t.id = p.id AND (t.progress, t.processing_status) IS DISTINCT FROM (p.progress, p.processing_status);

  INSERT INTO {{schema}}.run (transient, task, started_at, finished_at, duration_ms, status, error, stack, attempt, worker, cause, action, output)
  SELECT r.transient, r.task, r.started_at, r.finished_at, r.duration_ms, r.status,
    CASE WHEN (r.id || ' ' || r.task || ' ' || r.attempt) = ANY(ours) THEN r.error ELSE discarded END,
    r.stack, r.attempt, r.worker, r.cause, r.action, r.output
  FROM jsonb_to_recordset(results) AS r(id int, task text, attempt int, status text, duration_ms float8, output jsonb,
    error text, stack text, transient text, started_at timestamptz, finished_at timestamptz, worker text, cause text, action text);
END
$$;
