// The shipped example end to end on the real runtime: examples/pipeline/blast.tasks.yaml started
// like `npm start` starts it (its own plugins, the sample inbox ingested by its system task, every
// eligible task queued, claimed and run by the engine), on the embedded database or PostgreSQL.
// What the database then holds is checked against the two tables of docs/example-pipeline.md: the
// docs are compared with the runtime's result, never written from it.
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { TaskRegister, TransientDetail } from '../../runtime/control.ts'
import { startTestRuntime, waitFor } from '../helpers/runtime.ts'

const EXAMPLE = resolve(import.meta.dirname, '../../examples/pipeline')
const DOC = resolve(import.meta.dirname, '../../docs/example-pipeline.md')

// Ingest inbox reads examples/pipeline/inbox when BLAST_INBOX is unset
const inbox = process.env.BLAST_INBOX
delete process.env.BLAST_INBOX
t.teardown(() => { if (inbox !== undefined) process.env.BLAST_INBOX = inbox })

const runtime = await startTestRuntime(t, { manifest: join(EXAMPLE, 'blast.tasks.yaml') })
const summaries = await waitFor(async () => {
  const page = await runtime.listTransients({ limit: 1000 })
  return page.items.length === 12 && page.items.every(item => item.processing_status !== 'processing') && page.items
}, { timeoutMs: 120000, intervalMs: 100, what: 'the 12 sample transients settled' })
// the doc's rows are in discovery order, as Blast works; names break ties
const details: TransientDetail[] = []
for (const summary of [...summaries].sort((a, b) => order(a.public_timestamp ?? '', b.public_timestamp ?? '') || order(a.name, b.name))) {
  details.push(await runtime.getTransient(summary.name))
}
const transientTasks = runtime.plan.manifest.tasks.filter(task => task.kind === 'transient').map(task => task.name)
const registerOf = (detail: TransientDetail, task: string): TaskRegister | undefined => detail.tasks.find(r => r.task === task)

t.test('the sample inbox was ingested by the system task: 12 created, 2 rows refused', async t => {
  const runs = await runtime.listRuns({ task: 'Ingest inbox' })
  t.match(runs.items.at(-1), { status: 'processed', output: { files: 2, rows: 14, created: 12, rejected: 2 } })
})

t.test('no task failed, and each transient ends completed or blocked as its statuses say', async t => {
  for (const detail of details) {
    const bad = detail.tasks.filter(r => r.status === 'failed' || r.status === 'time limit exceeded' || r.status === 'processing')
    t.same(bad.map(r => `${r.task}: ${r.status} ${r.last_error ?? ''}`), [], `${detail.name}: nothing failed`)
    const errored = detail.tasks.some(r => r.type === 'error')
    t.equal(detail.processing_status, errored ? 'blocked' : 'completed', `${detail.name} is ${detail.processing_status}`)
  }
})

t.test('docs/example-pipeline.md shows what the runtime did', async t => {
  const doc = await readFile(DOC, 'utf8')
  const block = (id: string): string =>
    new RegExp(`<!-- ${id}:start -->\\n([\\s\\S]*?)<!-- ${id}:end -->`).exec(doc)?.[1] ?? `(no ${id} block in the doc)`
  t.equal(block('statuses'), statusTable(), 'the statuses table')
  t.equal(block('outputs'), outputTable(), 'the outputs table')
})

function order (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function statusTable (): string {
  const cell = (register: TaskRegister | undefined): string => !register ? '(no register)'
    : register.status === 'not processed' ? '· blocked' : register.status === 'processed' ? 'processed' : `**${register.status}**`
  return [
    `| Transient | ${transientTasks.join(' | ')} |`,
    `|---|${transientTasks.map(() => '---').join('|')}|`,
    ...details.map(detail => `| ${detail.name} | ${transientTasks.map(task => cell(registerOf(detail, task))).join(' | ')} |`)
  ].join('\n') + '\n'
}

function outputTable (): string {
  const get = (detail: TransientDetail, task: string, field: string): unknown => {
    const register = registerOf(detail, task)
    return register?.status === 'processed' ? (register.output as Record<string, unknown>)[field] : undefined
  }
  const fmt = (v: unknown, unit = ''): string => (v === undefined || v === null ? '–' : `${String(v)}${unit}`)
  const rows = details.map(detail => {
    const l = get(detail, 'Galactic coordinates', 'l_deg') as number | undefined
    const b = get(detail, 'Galactic coordinates', 'b_deg') as number | undefined
    const z = get(detail, 'Luminosity distance', 'redshift')
    const m = get(detail, 'Absolute magnitude', 'absolute_mag')
    return [
      detail.name,
      l === undefined || b === undefined ? '–' : `${l.toFixed(2)}, ${b.toFixed(2)}`,
      fmt(get(detail, 'Host match', 'host')),
      fmt(get(detail, 'Host match', 'separation_arcsec')),
      z === undefined ? '–' : `${String(z)} (${String(get(detail, 'Luminosity distance', 'redshift_source'))})`,
      fmt(get(detail, 'Luminosity distance', 'luminosity_distance_mpc')),
      m === undefined ? '–' : `${String(m)} (${String(get(detail, 'Absolute magnitude', 'band'))})`,
      fmt(get(detail, 'Host offset', 'projected_offset_kpc'))
    ]
  })
  return [
    '| Transient | l, b (°) | Host | Separation (″) | z (source) | D_L (Mpc) | M (band) | Offset (kpc) |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(r => `| ${r.join(' | ')} |`)
  ].join('\n') + '\n'
}
