// The embedded database (PGlite in BLAST_DATA_DIR) belongs to one process. It survives a kill -9 of
// that process in the middle of writes: the next process takes the stale lock over, finds every
// acknowledged write, and finishes the work. A second process on a data dir in use is refused with
// an error that says who holds it. Runs on every CI pass: it needs no DATABASE_URL.
import t from 'tap'
import { Deployment, tally, until } from './fixtures/harness.ts'

t.test('the embedded database survives kill -9 mid-write, and a second process is refused', async t => {
  const deployment = new Deployment(t, { manifest: 'two-steps.yaml', database: 'embedded' })
  const first = await deployment.spawn()
  await first.ready()

  // ingest in batches and kill the process while a batch is being written and runs are in flight
  const acknowledged: string[] = []
  const ingest = (async () => {
    for (let batch = 0; batch < 40; batch++) {
      const names = Array.from({ length: 250 }, (_, i) => `2025e${String(batch * 250 + i).padStart(5, '0')}`)
      const response = await first.api('POST', '/api/v1/transients', names.map((name, i) => ({ name, ra_deg: i, dec_deg: 0 }))).catch(() => null)
      if (response?.status !== 201) return
      acknowledged.push(...names)
    }
  })()
  await until(() => acknowledged.length >= 750, 'three batches acknowledged', 60000, 20)
  first.kill('SIGKILL')
  await Promise.all([first.exited, ingest])
  t.comment(`killed after ${acknowledged.length} acknowledged transients and ${deployment.readInvocations().length} runs`)

  const second = await deployment.spawn()
  await second.ready()
  t.ok(second.lines.some(line => line.msg === 'blast-tasks running'), 'the next process opened the data dir the killed one left')

  const third = await deployment.spawn()
  const refused = await third.exited
  t.equal(refused.code, 69, 'a second process on the same data dir exits with 69 (unavailable)')
  t.match(third.output, `blast-tasks: BLAST_DATA_DIR_LOCKED the embedded database in ${deployment.dataDir} is in use by process ${second.pid}`, 'with the code, the data dir and the holder')
  t.notMatch(third.output, /\n\s+at /, 'and no stack trace')
  t.match(third.output, 'set DATABASE_URL to share a PostgreSQL database', 'and what to do instead')
  t.equal((await second.api('GET', '/ready')).status, 200, 'the holder is unaffected')

  // every acknowledged transient is there, whole, and everything runs to the end
  await until(async () => {
    const { body } = await second.api('GET', '/api/v1/tasks')
    const counts = body.items.map((task: { counts: Record<string, number> }) => task.counts)
    return counts.every((c: Record<string, number>) => Object.keys(c).length === 1 && (c.processed ?? 0) >= acknowledged.length)
  }, 'every transient processed', 120000, 500)
  for (const name of [acknowledged[0], acknowledged.at(-1)!]) {
    const { status, body } = await second.api('GET', `/api/v1/transients/${name}`)
    t.equal(status, 200, `${name} survived`)
    t.same(body.tasks.map((r: { task: string; status: string }) => [r.task, r.status]), [['Task A', 'processed'], ['Task B', 'processed']], `${name} has both registers, processed`)
  }
  const { body: tasks } = await second.api('GET', '/api/v1/tasks')
  const total = tasks.items[0].counts.processed
  t.ok(total >= acknowledged.length, `${total} transients, at least the ${acknowledged.length} acknowledged`)
  const counts = tally(deployment.readInvocations())
  const again = [...counts].filter(([, n]) => n > 1)
  t.comment(`${again.length} runs were in flight at the kill and ran again`)
  t.ok(again.every(([, n]) => n === 2), 'a run lost in the kill runs once more, never more')
  t.equal(counts.size, total * 2, 'every (transient, task) ran')
})
