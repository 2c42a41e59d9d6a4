// `npm start` on a fresh clone: the real command (runtime/cli.ts start) on the example pipeline's
// own manifest (examples/pipeline/, which the root blast.tasks.yaml starts as a copy of: the README
// tour edits the root one, never this) with an empty data dir ingests the sample inbox and takes every sample transient to a final status,
// the one docs/example-pipeline.md lists; SIGTERM then stops it cleanly. Always the embedded
// database: that is what a fresh clone runs.
import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { waitFor } from '../helpers/runtime.ts'
import { FIXTURES, tempDir } from '../fixtures/engine/harness.ts'

const ROOT = join(FIXTURES, '../../..')

/** the expected statuses: the table between the statuses markers of docs/example-pipeline.md */
function expectedStatuses (): Map<string, Record<string, string>> {
  const doc = readFileSync(join(ROOT, 'docs/example-pipeline.md'), 'utf8')
  const table = doc.slice(doc.indexOf('<!-- statuses:start -->'), doc.indexOf('<!-- statuses:end -->')).split('\n')
    .filter(line => line.startsWith('|')).map(line => line.split('|').slice(1, -1).map(cell => cell.trim()))
  const [header, , ...rows] = table
  const tasks = header!.slice(1)
  return new Map(rows.map(row => [row[0]!, Object.fromEntries(tasks.map((task, i) => {
    const cell = row[i + 1]!.replaceAll('**', '')
    return [task, cell === '· blocked' ? 'not processed' : cell]
  }))]))
}

async function freePort (): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

t.test('npm start: the sample inbox, every sample transient to a final status, then a clean SIGTERM', async t => {
  const dataDir = join(tempDir(t), 'data')
  const port = await freePort()
  const env: NodeJS.ProcessEnv = { ...process.env, BLAST_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' }
  for (const name of ['DATABASE_URL', 'BLAST_MANIFEST', 'BLAST_INBOX', 'BLAST_SCHEMA', 'BLAST_BOSS_SCHEMA', 'BLAST_API_TOKEN', 'BLAST_TEST_LOG']) delete env[name]
  const started = Date.now()
  const child = spawn(process.execPath, [join(ROOT, 'runtime/cli.ts'), 'start'], { cwd: join(ROOT, 'examples/pipeline'), env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', chunk => { output += chunk })
  child.stderr.on('data', chunk => { output += chunk })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })

  const expected = expectedStatuses()
  t.equal(expected.size, 12, 'the doc lists the 12 sample transients')
  const base = `http://127.0.0.1:${port}/api/v1`
  const items = await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`blast-tasks start exited with ${child.exitCode}:\n${output}`)
    const res = await fetch(`${base}/transients?limit=1000`).catch(() => null)
    if (!res?.ok) return false
    const page = await res.json() as { items: Array<{ name: string; processing_status: string }> }
    return page.items.length === expected.size && page.items.every(item => item.processing_status !== 'processing') && page.items
  }, { timeoutMs: 120000, intervalMs: 250, what: 'every sample transient settled' })
  t.comment(`fresh start to ${items.length} settled transients in ${Date.now() - started} ms`)

  for (const item of items) {
    const res = await fetch(`${base}/transients/${item.name}`)
    const detail = await res.json() as { processing_status: string; tasks: Array<{ task: string; status: string }> }
    const want = expected.get(item.name)
    t.ok(want, `${item.name} is a sample transient`)
    t.same(Object.fromEntries(detail.tasks.map(r => [r.task, r.status])), want, item.name)
    const errored = Object.values(want ?? {}).some(status => status !== 'processed' && status !== 'not processed')
    t.equal(detail.processing_status, errored ? 'blocked' : 'completed', `${item.name} is ${detail.processing_status}`)
  }
  const runs = await (await fetch(`${base}/runs?task=${encodeURIComponent('Ingest inbox')}`)).json() as { items: Array<{ status: string; output: { created: number; rejected: number } }> }
  t.match(runs.items.at(-1), { status: 'processed', output: { created: 12, rejected: 2 } }, 'the first ingest created 12 and refused 2 rows')

  child.kill('SIGTERM')
  const [code, signal] = await once(child, 'exit')
  t.same([code, signal], [0, null], output)
})
