// The "Ingest inbox" system task on the shipped sample inbox and on files written here, with a
// transient store backed by a Map (test data standing in for the runtime's upsert).
import t from 'tap'
import { mkdtemp, writeFile, rm, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import type { SystemContext, TaskResult, Transient, TransientInput, TransientsAccess } from 'blast-tasks'
import { process as ingest } from '../../examples/pipeline/plugins/ingest-inbox.ts'

const SAMPLE_INBOX = resolve(import.meta.dirname, '../../examples/pipeline/inbox')

class MapTransients implements TransientsAccess {
  readonly rows = new Map<string, TransientInput>()
  calls = 0
  refuse: ((input: TransientInput) => string | undefined) | undefined
  async upsert (list: readonly TransientInput[]): Promise<{ created: string[]; updated: string[] }> {
    this.calls++
    for (const input of list) {
      const reason = this.refuse?.(input)
      if (reason !== undefined) throw new Error(reason)
    }
    const created: string[] = []
    const updated: string[] = []
    for (const input of list) {
      const old = this.rows.get(input.name)
      if (old === undefined) created.push(input.name)
      else if (JSON.stringify(old) !== JSON.stringify(input)) updated.push(input.name)
      this.rows.set(input.name, input)
    }
    return { created, updated }
  }
  async list (): Promise<Transient[]> { return [...this.rows.values()].map(toTransient) }
  async get (name: string): Promise<Transient | undefined> {
    const row = this.rows.get(name)
    return row && toTransient(row)
  }
}
function toTransient (i: TransientInput): Transient {
  return { public_timestamp: null, redshift: null, data: {}, ...i, tasks: {} } as Transient
}

function context (transients: TransientsAccess, warnings: string[] = []): SystemContext {
  const noop = (): void => {}
  return {
    log: { debug: noop, info: noop, warn: (msg: string) => { warnings.push(msg) }, error: noop },
    signal: new AbortController().signal,
    task: 'Ingest inbox',
    attempt: 1,
    transients
  }
}
function outputOf (result: TaskResult | void): Record<string, unknown> {
  if (typeof result !== 'object') throw new Error(`expected { status, output }, got ${String(result)}`)
  t.equal(result.status, 'processed')
  return result.output as Record<string, unknown>
}
async function withInbox<T> (dir: string, fn: () => Promise<T>): Promise<T> {
  const before = process.env.BLAST_INBOX
  process.env.BLAST_INBOX = dir
  try { return await fn() } finally {
    if (before === undefined) delete process.env.BLAST_INBOX
    else process.env.BLAST_INBOX = before
  }
}

t.test('without BLAST_INBOX the sample inbox beside the example is read, whatever the working directory', async t => {
  const before = process.env.BLAST_INBOX
  delete process.env.BLAST_INBOX
  t.teardown(() => { if (before !== undefined) process.env.BLAST_INBOX = before })
  const out = outputOf(await ingest(context(new MapTransients())))
  t.equal(out.inbox, relative(process.cwd(), SAMPLE_INBOX), 'examples/pipeline/inbox')
  t.match(out, { files: 2, rows: 14, created: 12, rejected: 2 })
})

t.test('the sample inbox', async t => {
  const store = new MapTransients()
  const warnings: string[] = []
  const out = outputOf(await withInbox(SAMPLE_INBOX, () => ingest(context(store, warnings))))
  const csv = relative(process.cwd(), join(SAMPLE_INBOX, 'transients.csv'))
  t.match(out, { files: 2, rows: 14, created: 12, updated: 0, rejected: 2 })
  t.same(out.problems, [
    { where: `${csv}:12`, reason: 'dec_deg is missing' },
    { where: `${csv}:13`, reason: 'dec_deg 95.5 is outside [-90, 90]' }
  ], 'the bad rows are named by file:line')
  t.ok(warnings.includes(`${csv}:12 rejected: dec_deg is missing`), 'and logged')
  t.equal(store.calls, 1, 'one upsert for the whole inbox')

  const fe = store.rows.get('2011fe')
  t.same(fe, {
    name: '2011fe', ra_deg: 210.774208, dec_deg: 54.273722, public_timestamp: '2011-08-24T00:00:00.000Z', redshift: null,
    data: { tns_prefix: 'SN', peak_mag: 9.9, peak_band: 'B', note: 'Type Ia in M101 (Nugent et al. 2011)' }
  })
  t.equal(store.rows.get('2006gy')?.redshift, 0.019)
  t.ok(Math.abs((store.rows.get('2023ixf')?.ra_deg ?? 0) - 210.910675) < 1e-6, 'sexagesimal JSON coordinates')
  t.same([store.rows.get('demo-zero-position')?.ra_deg, store.rows.get('demo-zero-position')?.dec_deg], [0, 0],
    'the (0, 0) placeholder is left to "Validate coordinates"')

  const again = outputOf(await withInbox(SAMPLE_INBOX, () => ingest(context(store))))
  t.match(again, { created: 0, updated: 0, rejected: 2 }, 're-ingesting the same files changes nothing')
})

t.test('files written here', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'blast-inbox-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'a.csv'), 'name,ra_deg,dec_deg,redshift\nsn1,10,20,0.01\nsn2,11,21,\n')
  await writeFile(join(dir, 'b.json'), '[\n  {"name": "sn2", "ra_deg": 11, "dec_deg": 21, "redshift": 0.02},\n  {"name": "x"}\n]\n')
  await writeFile(join(dir, 'broken.json'), '{ "transients": [ }')
  await writeFile(join(dir, 'notes.txt'), 'not an inbox file')
  await mkdir(join(dir, 'sub.csv')) // a folder with an inbox-like name is not read
  const store = new MapTransients()
  const warnings: string[] = []
  const out = outputOf(await withInbox(dir, () => ingest(context(store, warnings))))
  const shown = (name: string): string => relative(process.cwd(), join(dir, name))
  t.match(out, { files: 3, rows: 4, created: 2, updated: 0, rejected: 2 })
  t.equal((out.problems as Array<{ where: string }>)[0]?.where, shown('b.json:3'), 'JSON rows report their line')
  t.match((out.problems as Array<{ where: string; reason: string }>)[1], { where: shown('broken.json') })
  t.equal(store.rows.get('sn2')?.redshift, 0.02, 'a later file wins for a repeated name')
  t.ok(warnings.some(w => w.includes(`${shown('b.json:2')} sn2 also at ${shown('a.csv:3')}`)))

  await writeFile(join(dir, 'a.csv'), 'name,ra_deg,dec_deg,redshift\nsn1,10,20,0.011\n')
  const changed = outputOf(await withInbox(dir, () => ingest(context(store))))
  t.match(changed, { created: 0, updated: 1 }, 'an edited row is an update')
})

t.test('a batch the store refuses is retried row by row', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'blast-inbox-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'a.csv'), 'name,ra_deg,dec_deg\ngood,10,20\nnope,10,30\n')
  const store = new MapTransients()
  // a rule of the store's that the plugin does not know about
  store.refuse = input => (input.name === 'nope' ? 'transient "nope": refused' : undefined)
  const out = outputOf(await withInbox(dir, () => ingest(context(store))))
  t.match(out, { created: 1, rejected: 1 })
  t.same(out.problems, [{ where: `${relative(process.cwd(), join(dir, 'a.csv'))}:3`, reason: 'transient "nope": refused' }])
  t.ok(store.rows.has('good') && !store.rows.has('nope'))
})

t.test('a missing inbox is not an error', async t => {
  const store = new MapTransients()
  const warnings: string[] = []
  const out = outputOf(await withInbox(join(tmpdir(), 'no-such-blast-inbox'), () => ingest(context(store, warnings))))
  t.match(out, { files: 0, rows: 0, created: 0 })
  t.equal(store.calls, 0)
  t.match(warnings[0], /does not exist; nothing to ingest/)
})

t.test('an aborted run stops', async t => {
  const controller = new AbortController()
  controller.abort(new Error('timeout'))
  const ctx = { ...context(new MapTransients()), signal: controller.signal }
  await t.rejects(withInbox(SAMPLE_INBOX, () => ingest(ctx)), /timeout/)
})
