// PostgreSQL stopped for a few seconds and started again under two runtime processes, in the middle
// of a run of 2,000 transients through a three-task chain. The runtime logs the lost connections, is
// back within 10 s of the database, and carries on: every (transient, task) runs exactly once and
// ends `processed`. The cluster is a private one the test creates (initdb as the postgres user) and
// throws away, so that the outage touches no other test sharing DATABASE_URL's server. The embedded
// database's kill -9 is embedded.test.ts.
import t from 'tap'
import { Deployment, sleep, tally, until, type RuntimeProcess } from './fixtures/harness.ts'
import { PrivateCluster, serverBinaries } from './fixtures/private-cluster.ts'

const TRANSIENTS = 2000
const TASKS = ['Task A', 'Task B', 'Task C']
const RECONNECT_SECONDS = 10
const OUTAGE_MS = 3000

const bin = serverBinaries()

t.test('PostgreSQL restarts mid-run: the runtime reconnects and nothing is lost or run twice',
  { skip: bin.startsWith('/') ? false : bin }, async t => {
    const cluster = new PrivateCluster()
    t.teardown(() => cluster.destroy())
    await cluster.init()
    const deployment = new Deployment(t, { manifest: 'chain.yaml', databaseUrl: cluster.url })
    // small batches of slow runs: the run lasts long enough to restart PostgreSQL in the middle of it
    const env = { BLAST_BATCH_SIZE: '10' }
    const procs = [await deployment.spawn({ env }), await deployment.spawn({ api: false, env })]
    await Promise.all(procs.map(proc => proc.ready()))
    const slow = Object.fromEntries(TASKS.map(task => [task, 'slow:200']))
    for (let from = 0; from < TRANSIENTS; from += 1000) {
      const { status } = await procs[0].api('POST', '/api/v1/transients', Array.from({ length: 1000 }, (_, i) => ({
        name: `2024pg${String(from + i).padStart(5, '0')}`, ra_deg: i % 360, dec_deg: 0, data: { behave: slow }
      })))
      t.equal(status, 201, 'batch created')
    }
    const expected = TRANSIENTS * TASKS.length
    await until(() => deployment.readInvocations().length >= expected / 4, 'a quarter of the runs done', 60000, 20)

    const before = Date.now()
    cluster.stop()
    const stopped = Date.now()
    await sleep(OUTAGE_MS)
    cluster.start()
    const restarted = Date.now()
    const runsAtRestart = deployment.readInvocations().length
    t.comment(`PostgreSQL stopped in ${stopped - before} ms, down ${restarted - stopped} ms, with ${runsAtRestart} of ${expected} runs done`)

    // back: each process runs plugins again (and the API answers ready) — measured from the restart
    const back = await Promise.all(procs.map(async proc => {
      await until(() => deployment.readInvocations().slice(runsAtRestart).some(row => row.pid === proc.pid), `process ${proc.pid} running again`, 60000, 50)
      return Date.now() - restarted
    }))
    const ready = await until(() => procs[0].api('GET', '/ready').then(r => r.status === 200, () => false), 'the API ready', 60000, 50)
      .then(() => Date.now() - restarted)
    t.comment(`runs resumed ${back.join(' and ')} ms after the restart; API ready after ${ready} ms`)
    for (const ms of back) t.ok(ms <= RECONNECT_SECONDS * 1000, `a process resumed within ${RECONNECT_SECONDS} s`)

    await until(async () => {
      const response = await procs[0].api('GET', '/api/v1/tasks/Task%20C').catch(() => null)
      return response?.body?.counts?.processed === TRANSIENTS
    }, 'every transient through the chain', 120000, 500)
    await sleep(500) // any duplicate would have been invoked by now
    const logged = (proc: RuntimeProcess) => proc.lines.filter(line => line.level >= 40 && line.time >= before).map(line => line.msg)
    const warnings = procs.flatMap(logged)
    t.comment(`warnings logged: ${[...new Set(warnings)].join(' | ')}`)
    t.ok(warnings.some(msg => /database connection lost|pg-boss error|could not record run results|database unreachable/.test(msg)),
      'the runtime logged the lost connection')
    t.ok(procs.every(proc => proc.alive), 'both processes are still running')

    const counts = tally(deployment.readInvocations())
    t.equal(counts.size, expected, 'every (transient, task) ran')
    t.same([...counts].filter(([, n]) => n !== 1).slice(0, 10), [], 'none ran twice')
    const registers = await deployment.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM {s}.task_status GROUP BY status')
    t.same(registers, [{ status: 'processed', n: expected }], 'every register processed, nothing left processing')
    const runs = await deployment.query<{ n: number }>("SELECT count(*)::int AS n FROM {s}.run WHERE status = 'processed'")
    t.same(runs, [{ n: expected }], 'one history row per run')
  })
