// The database's side of `blast-tasks plan` and POST /api/v1/manifest/plan: the plan the database
// last applied, rebuilt from its stored task definitions, and the stored counts and statuses that
// planner.ts (pure) compares a candidate against.
import type { Queryable } from './database.ts'
import { compile, type Plan } from './plan.ts'
import { EligibilityTally, planChanges, sameReadiness, type ManifestChanges } from './planner.ts'
import { storeSql } from './sql.ts'
import { BUILTIN_STATUSES, STATUS_TYPES, TASK_KINDS, type Manifest, type Status, type StatusType, type Task } from './types.ts'

/** the meta key under which the runtime keeps the graph hash it last evaluated readiness with */
const GRAPH_HASH = 'graph_hash'

interface AppliedTaskRow {
  name: string
  in_manifest: boolean
  declared_enabled: boolean
  enabled_override: boolean | null
  definition: Partial<Task>
}

/** The plan the database last applied, rebuilt from each task's stored definition; null when none was. */
export async function readAppliedPlan (db: Queryable, schema: string): Promise<{ plan: Plan | null; overrides: Map<string, boolean> }> {
  const sql = storeSql(schema)
  const [rows, statusRows] = await Promise.all([
    db.query<AppliedTaskRow>(sql.appliedTasks),
    db.query<{ message: string; type: StatusType; description: string }>(sql.appliedStatuses)
  ])
  const overrides = new Map(rows.filter(row => row.enabled_override !== null).map(row => [row.name, row.enabled_override!]))
  const live = rows.filter(row => row.in_manifest)
  if (!live.length) return { plan: null, overrides }
  const builtin = new Set<string>(Object.values(BUILTIN_STATUSES))
  const statuses: Status[] = statusRows
    .filter(row => (STATUS_TYPES as readonly string[]).includes(row.type))
    .map(row => ({ message: row.message, type: row.type, description: row.description, builtin: builtin.has(row.message) }))
  const names = new Set(live.map(row => row.name))
  const tasks = live.map(row => taskOf(row, names))
  const manifest: Manifest = { file: '', dir: '', version: 1, statuses, tasks }
  return { plan: compile(manifest), overrides }
}

// Definitions are stored as the runtime built them; fill what an older row may lack, and drop
// prerequisites on tasks that are gone so that the rebuilt graph always compiles.
function taskOf (row: AppliedTaskRow, names: ReadonlySet<string>): Task {
  const d = row.definition ?? {}
  const prerequisites: Record<string, string> = {}
  for (const [task, status] of Object.entries(d.prerequisites ?? {})) if (names.has(task) && task !== row.name) prerequisites[task] = status
  return {
    name: row.name,
    slug: d.slug ?? row.name,
    kind: (TASK_KINDS as readonly string[]).includes(d.kind as string) ? d.kind! : 'transient',
    pluginRef: d.pluginRef ?? '',
    plugin: d.plugin ?? '',
    prerequisites,
    failedStatus: d.failedStatus ?? BUILTIN_STATUSES.failed,
    frequencySeconds: d.frequencySeconds ?? 60,
    enabled: row.declared_enabled,
    timeoutSeconds: d.timeoutSeconds ?? 3600,
    retries: d.retries ?? 0,
    memoryMb: d.memoryMb ?? 1024,
    maxOutputBytes: d.maxOutputBytes ?? 1048576,
    concurrency: d.concurrency ?? 100,
    description: d.description ?? ''
  }
}

export interface DatabasePlanOptions {
  readonly sampleSize?: number
  /** transients read per query */
  readonly pageSize?: number
}

/** planChanges() of the database's applied plan and a candidate, with the stored counts and statuses. */
export async function planAgainstDatabase (db: Queryable, schema: string, candidate: Plan, options: DatabasePlanOptions = {}): Promise<ManifestChanges> {
  const sql = storeSql(schema)
  const pageSize = options.pageSize ?? 1000
  const { plan: current, overrides } = await readAppliedPlan(db, schema)
  const [[{ n: transients }], registerRows, hashRows] = await Promise.all([
    db.query<{ n: number }>(sql.transientCount),
    db.query<{ task: string; n: number }>(sql.registerCounts),
    db.query<{ value: unknown }>(sql.getMeta, [GRAPH_HASH])
  ])
  const tally = new EligibilityTally(current, candidate, options.sampleSize)
  // plans that decide readiness alike make nothing newly eligible: no statuses need reading
  if (!sameReadiness(current, candidate)) {
    for (let after = 0; ;) {
      const page = await db.query<{ id: number; name: string; statuses: Record<string, string> }>(sql.statusPage, [after, pageSize])
      for (const row of page) tally.add(row.name, row.statuses)
      if (page.length < pageSize) break
      after = page[page.length - 1].id
    }
  }
  return planChanges(current, candidate, {
    graphHash: typeof hashRows[0]?.value === 'string' ? hashRows[0].value : null,
    transients,
    registers: new Map(registerRows.map(row => [row.task, row.n])),
    overrides,
    eligible: tally.result()
  })
}
