import t from 'tap'
import { startTestRuntime, waitFor } from '../helpers/runtime.ts'

const manifest = new URL('../fixtures/engine/chain.yaml', import.meta.url).pathname

t.test('a transient runs through the whole chain', async t => {
  const runtime = await startTestRuntime(t, { manifest })
  const started = Date.now()
  await runtime.createTransients([{ name: '2024abc', ra_deg: 10, dec_deg: 20 }])
  const done = await waitFor(async () => {
    const d = await runtime.getTransient('2024abc')
    return d.processing_status === 'completed' && d
  }, { what: 'completed' })
  t.comment(`chain completed in ${Date.now() - started} ms`)
  t.equal(done.progress, 100)
  t.same(done.tasks.map(r => [r.task, r.status]), [
    ['Task A', 'processed'], ['Task B', 'processed'], ['Task D', 'processed'], ['Task C', 'processed'], ['Task E', 'processed']
  ])
})
