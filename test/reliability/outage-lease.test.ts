// An outage longer than the lease: PostgreSQL stops for 8 s under three processes whose lease is
// 5 s; one of them is killed while the database is away. When it comes back, every heartbeat in the
// worker table is older than the lease. The reaper must not read that as "everyone died": each
// process waits a full lease from the moment the database is back, by which time the live ones have
// heart-beaten again. So only the killed process's claims are recovered, and not before a lease after
// the restart; the live processes' runs finish where they started. PostgreSQL only (a private
// cluster, see db-restart.test.ts).
import t from 'tap'
import { Deployment, LEASE_SECONDS, sleep, until } from './fixtures/harness.ts'
import { PrivateCluster, serverBinaries } from './fixtures/private-cluster.ts'

const OUTAGE_MS = 8000
const bin = serverBinaries()

t.test('after an outage longer than the lease, the reaper waits a lease and takes only a dead process\'s claims',
  { skip: bin.startsWith('/') ? false : bin }, async t => {
    t.ok(OUTAGE_MS > LEASE_SECONDS * 1000, 'the outage is longer than the lease')
    const cluster = new PrivateCluster()
    t.teardown(() => cluster.destroy())
    await cluster.init()
    const deployment = new Deployment(t, { manifest: 'chain.yaml', databaseUrl: cluster.url })
    const env = { BLAST_BATCH_SIZE: '2' }
    const [api, live, doomed] = [await deployment.spawn({ env }), await deployment.spawn({ api: false, env }), await deployment.spawn({ api: false, env })]
    await Promise.all([api, live, doomed].map(proc => proc.ready()))
    const ids = [api, live, doomed].map(proc => proc.workerId!)

    // slow runs, created a few at a time until the live and the doomed process both hold claims
    const owners = async () => new Map((await deployment.query<{ owner: string; n: number }>(
      "SELECT owner, count(*)::int AS n FROM {s}.task_status WHERE status = 'processing' GROUP BY owner")).map(row => [row.owner, row.n]))
    let batch = 0
    await until(async () => {
      const held = await owners()
      if (held.has(ids[1]!) && held.has(ids[2]!)) return true
      const names = Array.from({ length: 3 }, (_, i) => ({ name: `2024out${String(batch * 3 + i).padStart(4, '0')}`, ra_deg: 1, dec_deg: 1, data: { behave: { 'Task A': 'slow:40000' } } }))
      batch++
      t.equal((await api.api('POST', '/api/v1/transients', names)).status, 201)
      return false
    }, 'the live and the doomed process holding claims', 60000, 300)
    const held = await owners()
    t.comment(`claims held: ${ids.map(id => held.get(id) ?? 0).join(', ')} (api, live, doomed)`)

    cluster.stop()
    doomed.kill('SIGKILL')
    await sleep(OUTAGE_MS)
    cluster.start()
    const restarted = Date.now()

    type Recovered = Array<{ worker: string; finished_at: Date }>
    const recovered = await until(async () => {
      const rows: Recovered = await deployment.query<{ worker: string; finished_at: Date }>(
        "SELECT worker, finished_at FROM {s}.run WHERE action = 'recovered'").catch(() => [])
      return rows.length >= held.get(ids[2]!)! ? rows : null
    }, "the doomed process's claims recovered", 90000, 200) as Recovered
    const first = Math.min(...recovered.map(row => new Date(row.finished_at).getTime()))
    t.comment(`${recovered.length} claims recovered, the first ${first - restarted} ms after the database came back (lease ${LEASE_SECONDS} s)`)
    t.same([...new Set(recovered.map(row => row.worker))], [ids[2]], "only the killed process's claims were recovered")
    t.ok(first - restarted >= LEASE_SECONDS * 1000, 'not before a full lease from the moment the database was back')

    // the live processes' runs finish where they started: each (transient, Task A) ran once, but the doomed ones twice
    await until(async () => {
      const response = await api.api('GET', '/api/v1/tasks/Task%20A').catch(() => null)
      return response?.body?.counts?.processing === undefined && (response?.body?.counts?.processed ?? 0) >= batch * 3
    }, 'every Task A run settled', 120000, 500)
    const recoveredAgain = await deployment.query<{ n: number }>("SELECT count(*)::int AS n FROM {s}.run WHERE action = 'recovered'")
    t.same(recoveredAgain, [{ n: held.get(ids[2]!) }], 'nothing else was recovered later')
    t.ok(api.alive && live.alive, 'the live processes kept running')
  })
