// Memory is bounded by the work in flight, not the work done: thousands of runs through Blast's
// 17-task workflow in a child process under a low heap limit (the soak's load, bench/lib/soak-driver.ts,
// on a small pool), and the heap after a full GC must not grow per finished run once warmed up. The
// leak this guards (AbortSignal.any over the process-wide shutdown signal in Dispatcher.#run) kept
// ~5 KB per run: 17,000 runs would take ~85 MB more and exhaust the limit. No timing is asserted.
import t from 'tap'
import type { Test } from 'tap'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BLAST_WORKFLOW, blastManifest, writeProject } from '../../bench/lib/workflow.ts'
import type { SoakOutput } from '../../bench/lib/soak-driver.ts'
import { DATABASE_URL, dropSchemas, freshSchemas } from '../helpers/runtime.ts'
import { tempDir } from '../fixtures/engine/harness.ts'

const CHILD = fileURLToPath(new URL('./fixtures/heap-child.ts', import.meta.url))
const HEAP_LIMIT_MB = 96
const POOL = 100
const ROUNDS = 10
const WARMUP_ROUNDS = 3
/** bytes of heap per finished run allowed after warm-up: a tenth of what the leak kept */
const BOUND = 500
/** what 1,000 finished runs may leave behind, per run: the heap after GC wanders by about a megabyte
 *  between equal states on a loaded machine; the leak this guards against kept 5 KB per run */
const LEFT_BOUND = 2000
/** runs held in flight at once */
const IN_FLIGHT = 1000

async function runChild (t: Test, input: object): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_LIMIT_MB}`, '--expose-gc', CHILD], {
    env: { ...process.env, HEAP_CHILD_INPUT: JSON.stringify(input), SOAK_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', chunk => { stdout += chunk })
  child.stderr.on('data', chunk => { stderr += chunk })
  const code = await new Promise<number | null>(resolve => child.once('exit', resolve))
  t.equal(code, 0, `the child finished within its heap; stderr: ${stderr.slice(-2000)}`)
  return { code, stdout, stderr }
}

t.test(`${POOL * BLAST_WORKFLOW.length * ROUNDS} runs under a ${HEAP_LIMIT_MB} MB heap: no growth per run after warm-up`, async t => {
  const dir = tempDir(t, 'blast-memory-')
  const schemas = freshSchemas()
  t.teardown(() => dropSchemas(schemas.schema, schemas.bossSchema))
  const input = {
    manifest: writeProject(join(dir, 'project'), blastManifest()),
    databaseUrl: DATABASE_URL,
    dataDir: null,
    ...schemas,
    pool: POOL,
    runs: POOL * BLAST_WORKFLOW.length * ROUNDS,
    sampleEvery: 1
  }
  const { code, stdout } = await runChild(t, input)
  if (code !== 0) return
  const output = JSON.parse(stdout) as SoakOutput
  t.equal(output.runs, input.runs)
  const warm = output.samples.find(s => s.round === WARMUP_ROUNDS)!
  const last = output.samples[output.samples.length - 1]!
  const perRun = (last.heapUsedBytes - warm.heapUsedBytes) / (last.runs - warm.runs)
  t.comment(`heap after GC by round (MB): ${output.samples.map(s => (s.heapUsedBytes / 2 ** 20).toFixed(1)).join(' ')}`)
  t.comment(`${perRun.toFixed(1)} bytes per run over ${last.runs - warm.runs} runs after warm-up`)
  t.ok(perRun <= BOUND, `heap growth per run after warm-up ${perRun.toFixed(1)} B <= ${BOUND} B`)
})

t.test(`${IN_FLIGHT} runs held in flight: the heap they take is given back when they finish`, async t => {
  const schemas = freshSchemas()
  t.teardown(() => dropSchemas(schemas.schema, schemas.bossSchema))
  const { code, stdout } = await runChild(t, {
    mode: 'in-flight', manifest: fileURLToPath(new URL('./fixtures/memory/hold.yaml', import.meta.url)),
    databaseUrl: DATABASE_URL, ...schemas, count: IN_FLIGHT
  })
  if (code !== 0) return
  const { idle, held, after } = JSON.parse(stdout) as { idle: number; held: number; after: number }
  const perRun = (held - idle) / IN_FLIGHT
  t.comment(`heap after GC: idle ${(idle / 2 ** 20).toFixed(1)} MB, ${IN_FLIGHT} in flight ${(held / 2 ** 20).toFixed(1)} MB ` +
    `(${(perRun / 1024).toFixed(1)} KB per run in flight), after ${(after / 2 ** 20).toFixed(1)} MB`)
  t.ok(held > idle, 'runs in flight hold memory')
  t.ok((after - idle) / IN_FLIGHT <= LEFT_BOUND, `after they finished, ${((after - idle) / IN_FLIGHT).toFixed(1)} B per run is left (<= ${LEFT_BOUND} B)`)
})
