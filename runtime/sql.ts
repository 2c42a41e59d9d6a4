// Every SQL statement of the runtime, as text with $n parameters. The only interpolated identifier
// is the schema name, validated by settings.ts. Bulk writes take one jsonb parameter
// (jsonb_to_recordset) so one statement carries a whole batch on PostgreSQL and PGlite alike.

export function migrationSql (schema: string) {
  return {
    lock: 'SELECT pg_advisory_xact_lock(hashtext($1))',
    createSchema: `CREATE SCHEMA IF NOT EXISTS ${schema}`,
    createTable: `CREATE TABLE IF NOT EXISTS ${schema}.migration (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    applied: `SELECT version FROM ${schema}.migration`,
    list: `SELECT version, name, applied_at FROM ${schema}.migration ORDER BY version`,
    // listing must not create the table: ask first whether it exists
    exists: `SELECT to_regclass('${schema}.migration') IS NOT NULL AS exists`,
    record: `INSERT INTO ${schema}.migration (version, name) VALUES ($1, $2)`
  }
}

const TRANSIENT_COLUMNS = `t.name, t.ra_deg, t.dec_deg, t.public_timestamp, t.redshift, t.data,
  t.progress, t.processing_status, t.created_at, t.updated_at`

export function storeSql (s: string) {
  // what a claim sets ($owner: the claiming worker), and what it returns: the transient with every
  // other task's status and output, so that a run needs no further read
  const claimed = (owner: string) => `status = 'processing', ready = false, owner = ${owner}, attempts = ts.attempts + 1,
    started_at = now(), updated_at = now(), cause = NULL, due_at = NULL`
  const claimedRow = `ts.transient_id AS id, ts.task, ts.attempts, t.name, t.ra_deg, t.dec_deg, t.public_timestamp, t.redshift, t.data,
    (SELECT coalesce(jsonb_object_agg(o.task, jsonb_build_object('status', o.status, 'output', o.output)), '{}'::jsonb)
       FROM ${s}.task_status o WHERE o.transient_id = t.id AND o.task <> ts.task) AS tasks`
  const live = `EXISTS (SELECT 1 FROM ${s}.worker w WHERE w.id = ts.owner AND w.heartbeat_at > now() - make_interval(secs => $1))`
  return {
    // ---- manifest reconciliation ----
    upsertStatuses: `INSERT INTO ${s}.status (message, type, description, in_manifest)
      SELECT message, type, description, true FROM jsonb_to_recordset($1::jsonb) AS x(message text, type text, description text)
      ON CONFLICT (message) DO UPDATE SET type = EXCLUDED.type, description = EXCLUDED.description, in_manifest = true`,
    retireStatuses: `UPDATE ${s}.status SET in_manifest = false WHERE NOT (message = ANY($1::text[]))`,
    tasksInManifest: `SELECT name FROM ${s}.task WHERE in_manifest`,
    upsertTasks: `INSERT INTO ${s}.task (name, kind, declared_enabled, definition)
      SELECT name, kind, enabled, definition FROM jsonb_to_recordset($1::jsonb) AS x(name text, kind text, enabled boolean, definition jsonb)
      ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, declared_enabled = EXCLUDED.declared_enabled,
        definition = EXCLUDED.definition, in_manifest = true, last_seen_at = now()`,
    retireTasks: `UPDATE ${s}.task SET in_manifest = false WHERE in_manifest AND NOT (name = ANY($1::text[]))`,
    backfill: `INSERT INTO ${s}.task_status (transient_id, task, order_at, order_name)
      SELECT t.id, x.task, coalesce(t.public_timestamp, 'infinity'), t.name FROM ${s}.transient t CROSS JOIN unnest($1::text[]) AS x(task)
      ON CONFLICT DO NOTHING`,
    getMeta: `SELECT value FROM ${s}.meta WHERE key = $1`,
    setMeta: `INSERT INTO ${s}.meta (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
    transientIdPage: `SELECT id FROM ${s}.transient WHERE id > $1 ORDER BY id LIMIT $2`,

    // ---- tasks ----
    taskRows: `SELECT name, kind, in_manifest, declared_enabled, enabled_override, last_sweep_at
      FROM ${s}.task`,
    enabledTasks: `SELECT name FROM ${s}.task WHERE in_manifest AND coalesce(enabled_override, declared_enabled)`,
    setOverride: `UPDATE ${s}.task SET enabled_override = $2 WHERE name = $1`,
    // Registers per (task, status) in constant time (migration 005): the folded counts plus the deltas
    // the triggers appended since the last fold; a pair whose registers all left is not listed.
    statusCounts: `SELECT task, status, sum(n)::int AS n FROM (
        SELECT task, status, n FROM ${s}.task_count UNION ALL SELECT task, status, n FROM ${s}.task_count_delta
      ) c GROUP BY task, status HAVING sum(n) <> 0`,
    statusCountsOf: `SELECT task, status, sum(n)::int AS n FROM (
        SELECT task, status, n FROM ${s}.task_count WHERE task = $1
        UNION ALL SELECT task, status, n FROM ${s}.task_count_delta WHERE task = $1
      ) c GROUP BY task, status HAVING sum(n) <> 0`,
    // the same by counting every register: what the counts must always equal (tests, `--check`)
    statusCountsScan: `SELECT task, status, count(*)::int AS n FROM ${s}.task_status GROUP BY task, status`,
    // the ready backlog per task (partial index task_status_ready): what blast_backlog{state="ready"} shows
    readyCounts: `SELECT task, count(*)::int AS n FROM ${s}.task_status WHERE ready GROUP BY task`,
    // $1 system task names, $2 success-type statuses (index run_task)
    systemLastSuccess: `SELECT task, extract(epoch FROM max(finished_at))::float8 AS t FROM ${s}.run
      WHERE task = ANY($1::text[]) AND status = ANY($2::text[]) AND transient IS NULL GROUP BY task`,
    // one folder at a time across processes, held until the fold commits
    countsLock: 'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked',
    // folds every delta into task_count; rows upserted in key order. Returns how many deltas it folded.
    foldCounts: `WITH d AS (DELETE FROM ${s}.task_count_delta RETURNING task, status, n),
        f AS (INSERT INTO ${s}.task_count (task, status, n)
          SELECT task, status, sum(n) FROM d GROUP BY task, status ORDER BY task, status
          ON CONFLICT (task, status) DO UPDATE SET n = ${s}.task_count.n + EXCLUDED.n)
      SELECT count(*)::int AS n FROM d`,
    markSwept: `UPDATE ${s}.task SET last_sweep_at = now() WHERE name = $1
      RETURNING in_manifest AND coalesce(enabled_override, declared_enabled) AS enabled`,

    // ---- workers and leases ----
    registerWorker: `INSERT INTO ${s}.worker (id, host, pid) VALUES ($1, $2, $3)
      ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()`,
    heartbeat: `UPDATE ${s}.worker SET heartbeat_at = now() WHERE id = $1`,
    removeWorker: `DELETE FROM ${s}.worker WHERE id = $1`,
    pruneWorkers: `DELETE FROM ${s}.worker WHERE heartbeat_at < now() - interval '1 day'`,
    liveWorkers: `SELECT id FROM ${s}.worker WHERE heartbeat_at > now() - make_interval(secs => $1)`,
    livePeers: `SELECT id, host, pid FROM ${s}.worker WHERE heartbeat_at > now() - make_interval(secs => $1) AND id <> $2 ORDER BY id`,
    // claims whose owner stopped heart-beating, or that outlived their task's timeout by the lease
    lostClaims: `SELECT DISTINCT ts.transient_id AS id FROM ${s}.task_status ts
      WHERE ts.status = 'processing' AND (ts.owner IS NULL OR NOT ${live}
        OR ts.started_at < now() - make_interval(secs => coalesce(($2::jsonb ->> ts.task)::float8, 0) + $1))
      LIMIT 1000`,
    claimsOf: `SELECT DISTINCT transient_id AS id FROM ${s}.task_status WHERE status = 'processing' AND owner = $1`,

    // ---- system tasks (runtime/migrations/004_system_runs.sql) ----
    // a schedule's period fires once: the first process to move fired_slot forward to it wins
    fireSystem: `INSERT INTO ${s}.system_run (task, fired_slot) VALUES ($1, $2)
      ON CONFLICT (task) DO UPDATE SET fired_slot = EXCLUDED.fired_slot
        WHERE ${s}.system_run.fired_slot IS NULL OR ${s}.system_run.fired_slot < EXCLUDED.fired_slot
      RETURNING task`,
    // one run at a time: idle, or a retry (or recovery) that is due, becomes running; returns the attempt
    claimSystem: `INSERT INTO ${s}.system_run (task, state, owner, started_at, attempts) VALUES ($1, 'running', $2, now(), 1)
      ON CONFLICT (task) DO UPDATE SET state = 'running', owner = $2, started_at = now(), retry_at = NULL,
        attempts = CASE WHEN ${s}.system_run.state = 'idle' THEN 1 ELSE ${s}.system_run.attempts + 1 END
        WHERE ${s}.system_run.state = 'idle' OR (${s}.system_run.state = 'retry' AND ${s}.system_run.retry_at <= now())
      RETURNING attempts`,
    // the run's end, by its owner only (a run the reaper took back is not ended twice)
    endSystem: `UPDATE ${s}.system_run SET owner = NULL, started_at = NULL,
        state = CASE WHEN $3::float8 IS NULL THEN 'idle' ELSE 'retry' END,
        retry_at = CASE WHEN $3::float8 IS NULL THEN NULL ELSE now() + make_interval(secs => $3::float8) END,
        attempts = CASE WHEN $3::float8 IS NULL THEN 0 ELSE attempts END
      WHERE task = $1 AND owner = $2 AND state = 'running'
      RETURNING task`,
    runningSystem: `SELECT task, owner, attempts, started_at FROM ${s}.system_run WHERE state = 'running'`,
    // retries due for longer than the lease: the process that was to send their hint is gone
    overdueSystem: `SELECT task FROM ${s}.system_run WHERE state = 'retry' AND retry_at < now() - make_interval(secs => $1)`,
    // a dead owner's run: due again now, or given up (idle) after too many losses
    recoverSystem: `UPDATE ${s}.system_run SET owner = NULL, started_at = NULL,
        state = CASE WHEN $3 THEN 'idle' ELSE 'retry' END, retry_at = CASE WHEN $3 THEN NULL ELSE now() END,
        attempts = CASE WHEN $3 THEN 0 ELSE attempts END
      WHERE task = $1 AND owner IS NOT DISTINCT FROM $2 AND state = 'running'
      RETURNING task`,
    systemRun: `SELECT state, owner, attempts, retry_at, fired_slot FROM ${s}.system_run WHERE task = $1`,

    // ---- the run path ----
    // Atomic claim: ready → processing, rows locked in key order (the order every writer uses).
    // A disabled task claims only the registers an explicit run ($4, cause api) asked for.
    // RETURNING carries the transient and its other tasks so a run needs no further read.
    claim: `WITH c AS (
        SELECT ts.transient_id, ts.cause FROM ${s}.task_status ts
        WHERE ts.task = $1 AND ts.transient_id = ANY($2::int[]) AND ts.ready
          AND EXISTS (SELECT 1 FROM ${s}.task k WHERE k.name = $1 AND k.in_manifest
                      AND (coalesce(k.enabled_override, k.declared_enabled) OR ts.transient_id = ANY($4::int[])))
        ORDER BY ts.transient_id FOR UPDATE
      )
      UPDATE ${s}.task_status ts SET ${claimed('$3')}
      FROM c JOIN ${s}.transient t ON t.id = c.transient_id
      WHERE ts.task = $1 AND ts.transient_id = c.transient_id
      RETURNING ${claimedRow}, coalesce(c.cause, 'sweep') AS cause`,
    // The registers are the queue (migration 006): the oldest ready, due registers of an enabled task,
    // walked on the ready index in (order_at, order_name) order; SKIP LOCKED passes over rows another
    // process is claiming, so claims never wait on each other (nor deadlock: they wait on nothing).
    // `k` is uncorrelated: PostgreSQL evaluates it once, and a disabled task's claim reads no register.
    claimReady: `WITH k AS (
        SELECT 1 FROM ${s}.task WHERE name = $1 AND in_manifest AND coalesce(enabled_override, declared_enabled)
      ), c AS (
        SELECT ts.transient_id, ts.cause FROM ${s}.task_status ts
        WHERE ts.task = $1 AND ts.ready AND EXISTS (SELECT 1 FROM k) AND (ts.due_at IS NULL OR ts.due_at <= now())
        ORDER BY ts.order_at, ts.order_name LIMIT $3
        FOR UPDATE OF ts SKIP LOCKED
      )
      UPDATE ${s}.task_status ts SET ${claimed('$2')}
      FROM c JOIN ${s}.transient t ON t.id = c.transient_id
      WHERE ts.task = $1 AND ts.transient_id = c.transient_id
      RETURNING ${claimedRow}, coalesce(c.cause, 'sweep') AS cause`,
    // whether ready, due registers of an enabled task remain after a claim took fewer than it asked:
    // then some were locked (SKIP LOCKED passed over them: a transition of their transient was writing)
    readyWaiting: `SELECT EXISTS (SELECT 1 FROM ${s}.task_status ts WHERE ts.task = $1 AND ts.ready
        AND (ts.due_at IS NULL OR ts.due_at <= now())
        AND EXISTS (SELECT 1 FROM ${s}.task k WHERE k.name = $1 AND k.in_manifest AND coalesce(k.enabled_override, k.declared_enabled))) AS waiting`,
    // why ready registers of a task are to run (an explicit run: api, cli); with $3, only those transients
    markCause: `UPDATE ${s}.task_status SET cause = $2
      WHERE task = $1 AND ready AND ($3::int[] IS NULL OR transient_id = ANY($3::int[]))
      RETURNING transient_id`,
    // Every writer locks a transient's registers in (transient_id, task) order: completions of
    // sibling tasks serialise per transient and each sees the other's committed status.
    lockRegisters: `SELECT ts.transient_id AS id, t.name, t.public_timestamp, ts.task, ts.status, ts.ready, ts.owner,
        ts.attempts, ts.started_at
      FROM ${s}.task_status ts JOIN ${s}.transient t ON t.id = ts.transient_id
      WHERE ts.transient_id = ANY($1::int[]) ORDER BY ts.transient_id, ts.task FOR UPDATE OF ts`,
    // A transition's writes in one statement: the registers (a result, readiness), the transients'
    // progress and the history rows.
    writeTransition: `WITH w AS (
        UPDATE ${s}.task_status ts SET
          ready = u.ready,
          status = coalesce(u.status, ts.status),
          owner = CASE WHEN u.status IS NULL THEN ts.owner END,
          attempts = coalesce(u.attempts, ts.attempts),
          updated_at = CASE WHEN u.status IS NOT NULL THEN now() ELSE ts.updated_at END,
          duration_ms = coalesce(u.duration_ms, ts.duration_ms),
          output = CASE WHEN u.set_output THEN u.output ELSE ts.output END,
          last_error = CASE WHEN u.status IS NULL THEN ts.last_error ELSE u.last_error END,
          -- a status written sets why it is to run next, and is due at once (a retry's back-off is
          -- complete_runs()'s); a register that became ready through its prerequisites starts with neither
          cause = CASE WHEN u.status IS NOT NULL THEN u.cause
            WHEN u.ready AND NOT ts.ready THEN (SELECT $4::text FROM ${s}.task e WHERE e.name = ts.task AND coalesce(e.enabled_override, e.declared_enabled))
            ELSE ts.cause END,
          due_at = CASE WHEN u.status IS NOT NULL OR (u.ready AND NOT ts.ready) THEN NULL ELSE ts.due_at END
        FROM jsonb_to_recordset($1::jsonb) AS u(id int, task text, ready boolean, status text, duration_ms float8,
            set_output boolean, output jsonb, last_error text, attempts int, cause text)
        WHERE ts.transient_id = u.id AND ts.task = u.task
      ), p AS (
        UPDATE ${s}.transient t SET progress = p.progress, processing_status = p.processing_status
        FROM jsonb_to_recordset($2::jsonb) AS p(id int, progress int, processing_status text)
        WHERE t.id = p.id
      )
      INSERT INTO ${s}.run (transient, task, started_at, finished_at, duration_ms, status, error, stack, attempt, worker, cause, action, output)
      SELECT transient, task, started_at, finished_at, duration_ms, status, error, stack, attempt, worker, cause, action, output
      FROM jsonb_to_recordset($3::jsonb) AS r(transient text, task text, started_at timestamptz, finished_at timestamptz,
        duration_ms float8, status text, error text, stack text, attempt int, worker text, cause text, action text, output jsonb)`,
    // a batch of run results in one call, outside any transaction of the client's (migration 008)
    completeRuns: `SELECT id, task, claimed, name, public_timestamp, attempts, ra_deg, dec_deg, redshift, data, tasks, cause
      FROM ${s}.complete_runs($1::jsonb, $2::jsonb, $3, $4, $5::text[], $6, $7)`,
    insertRuns: `INSERT INTO ${s}.run (transient, task, started_at, finished_at, duration_ms, status, error, stack, attempt, worker, cause, action, output)
      SELECT transient, task, started_at, finished_at, duration_ms, status, error, stack, attempt, worker, cause, action, output
      FROM jsonb_to_recordset($1::jsonb) AS r(transient text, task text, started_at timestamptz, finished_at timestamptz,
        duration_ms float8, status text, error text, stack text, attempt int, worker text, cause text, action text, output jsonb)`,
    // ready registers of one task in claim order, a page at a time (keyset on the ready index)
    readyPage: `SELECT ts.transient_id AS id, t.name, t.public_timestamp, ts.order_at, ts.order_name FROM ${s}.task_status ts
      JOIN ${s}.transient t ON t.id = ts.transient_id
      WHERE ts.task = $1 AND ts.ready AND (ts.order_at, ts.order_name) > ($2::timestamptz, $3::text)
      ORDER BY ts.order_at, ts.order_name LIMIT $4`,
    readyOne: `SELECT ts.transient_id AS id, t.name, t.public_timestamp FROM ${s}.task_status ts
      JOIN ${s}.transient t ON t.id = ts.transient_id WHERE ts.task = $1 AND ts.ready AND t.name = $2`,

    // ---- transients ----
    transientIdsByName: `SELECT id, name FROM ${s}.transient WHERE name = ANY($1::text[])`,
    // a new transient starts as the graph evaluates every task `not processed` ($2, $3)
    insertTransients: `INSERT INTO ${s}.transient (name, ra_deg, dec_deg, public_timestamp, redshift, data, progress, processing_status)
      SELECT name, ra_deg, dec_deg, public_timestamp, redshift, coalesce(data, '{}'::jsonb), $2, $3
      FROM jsonb_to_recordset($1::jsonb) AS x(name text, ra_deg float8, dec_deg float8, public_timestamp timestamptz,
        redshift float8, data jsonb)
      ON CONFLICT (name) DO NOTHING
      RETURNING id, name, public_timestamp`,
    // a new transient's registers, the roots ($3: per task of $2) ready at once and, when their task is
    // enabled, to run as pushed
    insertRegisters: `INSERT INTO ${s}.task_status (transient_id, task, order_at, order_name, ready, cause)
      SELECT t.id, k.task, coalesce(t.public_timestamp, 'infinity'), t.name, k.ready,
        CASE WHEN k.ready THEN (SELECT 'push' FROM ${s}.task e WHERE e.name = k.task AND coalesce(e.enabled_override, e.declared_enabled)) END
      FROM unnest($1::int[]) AS x(id) JOIN ${s}.transient t ON t.id = x.id CROSS JOIN unnest($2::text[], $3::boolean[]) AS k(task, ready)
      ON CONFLICT DO NOTHING`,
    updateTransients: `UPDATE ${s}.transient t SET ra_deg = x.ra_deg, dec_deg = x.dec_deg,
        public_timestamp = x.public_timestamp, redshift = x.redshift, data = coalesce(x.data, '{}'::jsonb), updated_at = now()
      FROM jsonb_to_recordset($1::jsonb) AS x(name text, ra_deg float8, dec_deg float8, public_timestamp timestamptz,
        redshift float8, data jsonb)
      WHERE t.name = x.name AND (t.ra_deg, t.dec_deg, t.public_timestamp, t.redshift, t.data)
        IS DISTINCT FROM (x.ra_deg, x.dec_deg, x.public_timestamp, x.redshift, coalesce(x.data, '{}'::jsonb))
      RETURNING t.name`,
    transientByName: `SELECT t.id, ${TRANSIENT_COLUMNS} FROM ${s}.transient t WHERE t.name = $1`,
    transientsAfter: `SELECT t.id, ${TRANSIENT_COLUMNS} FROM ${s}.transient t WHERE t.name > $1 ORDER BY t.name LIMIT $2`,
    // the transient list: transientListQuery below
    registersOf: `SELECT task, status, updated_at, duration_ms, attempts, output, last_error, owner
      FROM ${s}.task_status WHERE transient_id = $1`,
    tasksOfMany: `SELECT transient_id AS id, task, status, output FROM ${s}.task_status WHERE transient_id = ANY($1::int[])`,
    deleteTransient: `DELETE FROM ${s}.transient WHERE name = $1 RETURNING id`,

    // ---- history ----
    runPage: `SELECT id::text, transient, task, started_at, finished_at, duration_ms, status, error, stack, attempt, worker, cause, action, output
      FROM ${s}.run
      WHERE ($1::bigint IS NULL OR id < $1) AND ($3::text IS NULL OR task = $3) AND ($4::text IS NULL OR transient = $4)
        AND ($5::text IS NULL OR status = $5) AND ($6::timestamptz IS NULL OR started_at >= $6)
      ORDER BY run.id DESC LIMIT $2`, // run.id: a bare `id` sorts the id::text output column, '999' before '1700'
    runById: `SELECT id::text, transient, task, started_at, finished_at, duration_ms, status, error, stack, attempt, worker, cause, action, output
      FROM ${s}.run WHERE id = $1`,

    // ---- retention (runtime/retention.ts): history only; the registers (task_status) are never touched ----
    // one pruner at a time across processes, held until the batch's transaction ends
    retentionLock: 'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked',
    // a batch of runs that started more than $1 seconds ago (index run_started_at)
    pruneOld: `WITH v AS (SELECT id FROM ${s}.run WHERE started_at < now() - make_interval(secs => $1) LIMIT $2),
        d AS (DELETE FROM ${s}.run r USING v WHERE r.id = v.id RETURNING 1)
      SELECT count(*)::int AS n FROM d`,
    // the last id of the next (at most $2) history rows after id $1, and how many there are
    historyChunkEnd: `SELECT max(id)::text AS last, count(*)::int AS n FROM (SELECT id FROM ${s}.run WHERE id > $1 ORDER BY id LIMIT $2) c`,
    // of the (transient, task) pairs that gained runs in ids ($1, $2], the runs past the newest $3;
    // at most $4 of them (index run_transient_task)
    pruneExcess: `WITH fresh AS (
          SELECT DISTINCT transient, task FROM ${s}.run WHERE id > $1 AND id <= $2 AND transient IS NOT NULL
        ), v AS (
          SELECT x.id FROM fresh f CROSS JOIN LATERAL (
            SELECT r.id FROM ${s}.run r WHERE r.transient = f.transient AND r.task = f.task ORDER BY r.id DESC OFFSET $3) x
          LIMIT $4
        ), d AS (DELETE FROM ${s}.run r USING v WHERE r.id = v.id RETURNING 1)
      SELECT count(*)::int AS n FROM d`,
    // exact up to a million rows; above, the planner's estimate (a count would scan it all on every scrape)
    historyRows: `SELECT (CASE WHEN c.reltuples > 1000000 THEN c.reltuples ELSE (SELECT count(*) FROM ${s}.run) END)::float8 AS n
      FROM pg_class c WHERE c.oid = '${s}.run'::regclass`,
    // tables of the given schemas past autovacuum's default threshold (50 + 20 % of live rows dead)
    tablesToVacuum: `SELECT format('%I.%I', schemaname, relname) AS name FROM pg_stat_user_tables
      WHERE schemaname = ANY($1::text[]) AND n_dead_tup > 50 + 0.2 * n_live_tup ORDER BY n_dead_tup DESC`,
    // a schema's tables with their indexes and TOAST ($1: schema name)
    schemaBytes: `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::text AS bytes
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')`,

    // ---- plan (runtime/planner.ts): the applied manifest and the stored statuses ----
    appliedTasks: `SELECT name, in_manifest, declared_enabled, enabled_override, definition
      FROM ${s}.task ORDER BY first_seen_at, name`,
    appliedStatuses: `SELECT message, type, description FROM ${s}.status WHERE in_manifest ORDER BY message`,
    transientCount: `SELECT count(*)::int AS n FROM ${s}.transient`,
    registerCounts: `SELECT task, count(*)::int AS n FROM ${s}.task_status GROUP BY task`,
    // each transient's {task: status}, a page at a time (keyset on id)
    statusPage: `SELECT t.id, t.name,
        coalesce(jsonb_object_agg(ts.task, ts.status) FILTER (WHERE ts.task IS NOT NULL), '{}'::jsonb) AS statuses
      FROM ${s}.transient t LEFT JOIN ${s}.task_status ts ON ts.transient_id = t.id
      WHERE t.id > $1 GROUP BY t.id ORDER BY t.id LIMIT $2`
  }
}

export type StoreSql = ReturnType<typeof storeSql>

/** a page of the transient list: each filter present narrows it; a task, a status and statuses
 * (of a type) select transients with one register that matches all of them */
export interface TransientListFilter {
  after: { name: string; orderAt: string | null } | null
  processingStatus: string | null
  task: string | null
  status: string | null
  statuses: readonly string[] | null
  limit: number
}

/**
 * A page of the transient list. Oldest public_timestamp first, name on ties, those without one last:
 * the (order_at, name) index of migration 003 walks it, and the keyset (the cursor's order_at and
 * name) resumes after its row; order_at is handed back as exact text (microseconds, UTC) so the
 * cursor loses nothing. Only the filters given are written into the statement: a filter written as
 * "$n IS NULL OR …" hides from the planner the indexes that could answer it (a task's rare status
 * at 1,000,000 transients read every register, about a second).
 */
export function transientListQuery (s: string, filter: TransientListFilter): { text: string; values: unknown[] } {
  const values: unknown[] = []
  const param = (value: unknown, type: string) => `$${values.push(value)}::${type}`
  const where: string[] = []
  if (filter.after) {
    where.push(`(coalesce(t.public_timestamp, 'infinity'::timestamptz), t.name) > (coalesce(${param(filter.after.orderAt, 'timestamptz')}, 'infinity'::timestamptz), ${param(filter.after.name, 'text')})`)
  }
  if (filter.processingStatus !== null) where.push(`t.processing_status = ${param(filter.processingStatus, 'text')}`)
  const register: string[] = []
  if (filter.task !== null) register.push(`ts.task = ${param(filter.task, 'text')}`)
  if (filter.status !== null) register.push(`ts.status = ${param(filter.status, 'text')}`)
  if (filter.statuses !== null) register.push(`ts.status = ANY(${param(filter.statuses, 'text[]')})`)
  // a semi-join the planner may run either way: walking the list order and probing each transient's
  // registers (many match), or collecting the matching registers first (few match: the partial
  // index of migration 010, or task_status_processing) and sorting them
  if (register.length) where.push(`t.id IN (SELECT ts.transient_id FROM ${s}.task_status ts WHERE ${register.join(' AND ')})`)
  const text = `SELECT t.id, ${TRANSIENT_COLUMNS},
      to_char(t.public_timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS order_at
    FROM ${s}.transient t
    ${where.length ? `WHERE ${where.join('\n      AND ')}` : ''}
    ORDER BY coalesce(t.public_timestamp, 'infinity'::timestamptz), t.name LIMIT ${param(filter.limit, 'int')}`
  return { text, values }
}
