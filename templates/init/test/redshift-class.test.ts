// runTask runs a task's plugin the way the runtime would, on a transient described here, without
// a database: the result carries the status the runtime would write and the output.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { runTask } from 'blast-tasks/testing'

const manifest = join(import.meta.dirname, '..', 'blast.tasks.yaml')

test('a transient with a small redshift is nearby', async () => {
  const result = await runTask(manifest, 'Redshift class', { name: '2011fe', ra_deg: 210.774, dec_deg: 54.274, redshift: 0.0008 })
  assert.equal(result.status, 'processed')
  assert.deepEqual(result.output, { nearby: true })
})

test('a transient without a redshift gets the error status', async () => {
  const result = await runTask(manifest, 'Redshift class', { name: '2024abc', ra_deg: 10, dec_deg: -5 })
  assert.equal(result.status, 'no redshift')
  assert.equal(result.type, 'error')
})
