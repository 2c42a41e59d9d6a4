// The transient list (runtime/sql.ts transientListQuery) writes only the filters it is given into its
// statement. Held here to the documented answer for every combination of filters, page by page
// (the order: oldest public_timestamp first, name on ties, those without one last; a transient
// qualifies when one of its registers matches the task, status and status type given), and to a plan
// that reads a task's rare status through the index of migration 010 rather than every register.
import t from 'tap'
import { fileURLToPath } from 'node:url'
import type { TransientFilter } from '../../runtime/control.ts'
import { transientListQuery } from '../../runtime/sql.ts'
import { startTestRuntime } from '../helpers/runtime.ts'

const manifest = fileURLToPath(new URL('../fixtures/engine/chain.yaml', import.meta.url))
const TASKS = ['Task A', 'Task B', 'Task C', 'Task D', 'Task E']
const STATUSES = ['processed', 'not processed', 'processing', 'failed', 'no host match', 'skipped']
const TYPES: Record<string, string> = { processed: 'success', skipped: 'success', 'not processed': 'blank', processing: 'warning', failed: 'error', 'no host match': 'error' }
const PROCESSING = ['processing', 'blocked', 'completed']
const N = 90

interface PlanNode { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: PlanNode[] }
const flatten = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(flatten)]

t.test('every combination of filters lists what the documented order and rule give, page by page', async t => {
  // no lane claims here: the registers stay as this test writes them
  const runtime = await startTestRuntime(t, { manifest, claimTasks: [] })
  const { db, store } = runtime
  const s = store.schema
  // a third without a public timestamp (listed last), and pairs sharing one (name decides)
  await runtime.upsertMany(Array.from({ length: N }, (_, i) => ({
    name: `2024tl${String((i * 37) % N).padStart(3, '0')}`, ra_deg: 1, dec_deg: 2,
    public_timestamp: i % 3 === 0 ? null : new Date(Date.UTC(2024, 0, 1) + Math.floor(i / 2) * 60_000).toISOString()
  })))
  // statuses spread over tasks and transients by a fixed rule
  await db.query(`UPDATE ${s}.task_status ts SET status = ($1::text[])[1 + (ts.transient_id * 7 + length(ts.task) + ascii(right(ts.task, 1))) % 6], ready = false`, [STATUSES])
  await db.query(`UPDATE ${s}.transient SET processing_status = ($1::text[])[1 + id % 3]`, [PROCESSING])
  await db.query(`ANALYZE ${s}.task_status`)

  const transients = await db.query<{ id: number; name: string; public_timestamp: Date | null; processing_status: string }>(
    `SELECT id, name, public_timestamp, processing_status FROM ${s}.transient`)
  const registers = await db.query<{ transient_id: number; task: string; status: string }>(`SELECT transient_id, task, status FROM ${s}.task_status`)
  const ordered = [...transients].sort((a, b) =>
    (a.public_timestamp?.getTime() ?? Infinity) - (b.public_timestamp?.getTime() ?? Infinity) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const expected = (filter: TransientFilter) => ordered.filter(x =>
    (filter.processing_status === undefined || x.processing_status === filter.processing_status) &&
    (filter.task === undefined && filter.status === undefined && filter.status_type === undefined ||
      registers.some(r => r.transient_id === x.id && (filter.task === undefined || r.task === filter.task) &&
        (filter.status === undefined || r.status === filter.status) && (filter.status_type === undefined || TYPES[r.status] === filter.status_type))))
    .map(x => x.name)

  let combinations = 0
  for (const task of [undefined, 'Task B']) {
    for (const status of [undefined, 'failed', 'processed', 'not processed']) {
      for (const statusType of [undefined, 'error', 'success'] as const) {
        for (const processingStatus of [undefined, 'blocked'] as const) {
          const filter: TransientFilter = {
            ...(task ? { task } : {}), ...(status ? { status } : {}), ...(statusType ? { status_type: statusType } : {}),
            ...(processingStatus ? { processing_status: processingStatus } : {})
          }
          const listed: string[] = []
          for (let cursor: string | null | undefined; ;) {
            const page = await runtime.listTransients({ ...filter, limit: 7, ...(cursor ? { cursor } : {}) })
            listed.push(...page.items.map(item => item.name))
            if (!page.nextCursor) break
            cursor = page.nextCursor
          }
          t.same(listed, expected(filter), JSON.stringify(filter))
          combinations++
        }
      }
    }
  }
  t.equal(combinations, 48)
  t.ok(expected({}).length === N && expected({ task: 'Task B', status: 'failed' }).length > 0, 'the data has matches to find')

  // the plan of a rare status: through task_status_by_status (migration 010), not a scan of every register
  const { text, values } = transientListQuery(s, { after: null, processingStatus: null, task: 'Task B', status: 'no host match', statuses: null, limit: 51 })
  const [row] = await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, values)
  const explained = row!['QUERY PLAN']
  const nodes = (typeof explained === 'string' ? JSON.parse(explained) : explained as Array<{ Plan: PlanNode }>)[0].Plan
  const scans = flatten(nodes).filter(node => node['Relation Name'] === 'task_status')
  t.ok(scans.length > 0 && scans.every(node => node['Index Name'] === 'task_status_by_status'),
    `reads the registers by status, nothing else: ${scans.map(node => `${node['Node Type']} ${node['Index Name'] ?? ''}`).join(', ')}`)
})
