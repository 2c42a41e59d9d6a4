// The shipped example end to end, without the runtime: ingest the sample inbox, run every transient
// task of blast.tasks.yaml in graph order with Blast's eligibility rule (each prerequisite holds
// exactly its status), and check the outcome against the tables in docs/example-pipeline.md.
import t from 'tap'
import { readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parse } from 'yaml'
import type { SystemContext, TaskResult, TaskState, Transient, TransientInput } from 'blast-tasks'

const ROOT = resolve(import.meta.dirname, '../..')
const BUILTIN = ['not processed', 'processing', 'processed', 'failed', 'time limit exceeded']

interface TaskEntry { name: string; kind?: string; prerequisites?: Record<string, string> }
const manifest = parse(await readFile(join(ROOT, 'blast.tasks.yaml'), 'utf8')) as {
  statuses: Array<{ message: string }>
  tasks: TaskEntry[]
}
const declared = new Set([...BUILTIN, ...manifest.statuses.map(s => s.message)])
const kebab = (name: string): string => name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '')
type Process = (...args: unknown[]) => Promise<TaskResult | void>
const plugin = async (name: string): Promise<Process> =>
  ((await import(pathToFileURL(join(ROOT, 'plugins', `${kebab(name)}.ts`)).href)) as { process: Process }).process

const noop = (): void => {}
const log = { debug: noop, info: noop, warn: noop, error: noop }
const signal = new AbortController().signal

// ingest the sample inbox into a Map
const store = new Map<string, TransientInput>()
const ctx: SystemContext = {
  log, signal, task: 'Ingest inbox', attempt: 1,
  transients: {
    async upsert (list) {
      for (const input of list) store.set(input.name, input)
      return { created: list.map(i => i.name), updated: [] }
    },
    async list () { return [] },
    async get () { return undefined }
  }
}
process.env.BLAST_INBOX = join(ROOT, 'inbox')
await (await plugin('Ingest inbox'))(ctx)

// run the transient tasks until nothing is eligible, as the sweeps would
const transientTasks = manifest.tasks.filter(task => (task.kind ?? 'transient') === 'transient')
const results = new Map<string, Record<string, TaskState>>()
// oldest discovery first, the order Blast works in and the order of the doc's tables
const byDiscovery = [...store.values()].sort((a, b) => (a.public_timestamp ?? '').localeCompare(b.public_timestamp ?? ''))
for (const input of byDiscovery) {
  const tasks: Record<string, TaskState> = Object.fromEntries(
    transientTasks.map(task => [task.name, { status: 'not processed', type: 'blank', output: null }]))
  for (let progressed = true; progressed;) {
    progressed = false
    for (const task of transientTasks) {
      const eligible = tasks[task.name]!.status === 'not processed' &&
        Object.entries(task.prerequisites ?? {}).every(([parent, status]) => tasks[parent]?.status === status)
      if (!eligible) continue
      const transient: Transient = { public_timestamp: null, redshift: null, data: {}, ...input, tasks: { ...tasks } }
      let result: TaskResult | void
      try {
        result = await (await plugin(task.name))(transient, { log, signal, task: task.name, attempt: 1 })
      } catch (err) {
        result = { status: 'failed', output: { error: (err as Error).message } }
      }
      const status = typeof result === 'string' ? result : (result?.status ?? 'processed')
      const output = typeof result === 'object' ? result.output : null
      tasks[task.name] = { status, type: status === 'processed' ? 'success' : 'error', output }
      progressed = true
    }
  }
  results.set(input.name, tasks)
}

t.test('every status a plugin returned is declared', async t => {
  for (const [name, tasks] of results) {
    for (const [task, state] of Object.entries(tasks)) t.ok(declared.has(state.status), `${name} / ${task}: "${state.status}"`)
  }
})

t.test('no sample transient fails', async t => {
  const failed = [...results].flatMap(([name, tasks]) =>
    Object.entries(tasks).filter(([, s]) => s.status === 'failed').map(([task, s]) => `${name} / ${task}: ${JSON.stringify(s.output)}`))
  t.same(failed, [])
})

t.test('docs/example-pipeline.md shows the outcome', async t => {
  const file = join(ROOT, 'docs/example-pipeline.md')
  let doc = await readFile(file, 'utf8')
  const pattern = (id: string): RegExp => new RegExp(`(<!-- ${id}:start -->\\n)([\\s\\S]*?)(<!-- ${id}:end -->)`)
  const tables = { statuses: statusTable(), outputs: outputTable() }
  // UPDATE_EXAMPLE_DOCS=1 rewrites the tables after a deliberate change to the pipeline or its data
  if (process.env.UPDATE_EXAMPLE_DOCS === '1') {
    for (const [id, table] of Object.entries(tables)) doc = doc.replace(pattern(id), (_, a: string, _b, c: string) => a + table + c)
    await writeFile(file, doc)
  }
  for (const [id, table] of Object.entries(tables)) {
    t.equal(pattern(id).exec(doc)?.[2] ?? `(no ${id} block)`, table, `the ${id} table (UPDATE_EXAMPLE_DOCS=1 rewrites it)`)
  }
})

function statusTable (): string {
  const names = transientTasks.map(task => task.name)
  const cell = (state: TaskState): string => (state.status === 'not processed' ? '· blocked' : state.status === 'processed' ? 'processed' : `**${state.status}**`)
  return [
    `| Transient | ${names.join(' | ')} |`,
    `|---|${names.map(() => '---').join('|')}|`,
    ...[...results].map(([name, tasks]) => `| ${name} | ${names.map(n => cell(tasks[n]!)).join(' | ')} |`)
  ].join('\n') + '\n'
}

function outputTable (): string {
  const get = (tasks: Record<string, TaskState>, task: string, field: string): unknown =>
    tasks[task]?.status === 'processed' ? (tasks[task]!.output as Record<string, unknown>)[field] : undefined
  const fmt = (v: unknown, unit = ''): string => (v === undefined || v === null ? '–' : `${String(v)}${unit}`)
  const rows = [...results].map(([name, tasks]) => {
    const l = get(tasks, 'Galactic coordinates', 'l_deg') as number | undefined
    const b = get(tasks, 'Galactic coordinates', 'b_deg') as number | undefined
    const z = get(tasks, 'Luminosity distance', 'redshift')
    const m = get(tasks, 'Absolute magnitude', 'absolute_mag')
    return [
      name,
      l === undefined || b === undefined ? '–' : `${l.toFixed(2)}, ${b.toFixed(2)}`,
      fmt(get(tasks, 'Host match', 'host')),
      fmt(get(tasks, 'Host match', 'separation_arcsec')),
      z === undefined ? '–' : `${String(z)} (${String(get(tasks, 'Luminosity distance', 'redshift_source'))})`,
      fmt(get(tasks, 'Luminosity distance', 'luminosity_distance_mpc')),
      m === undefined ? '–' : `${String(m)} (${String(get(tasks, 'Absolute magnitude', 'band'))})`,
      fmt(get(tasks, 'Host offset', 'projected_offset_kpc'))
    ]
  })
  return [
    '| Transient | l, b (°) | Host | Separation (″) | z (source) | D_L (Mpc) | M (band) | Offset (kpc) |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(r => `| ${r.join(' | ')} |`)
  ].join('\n') + '\n'
}
