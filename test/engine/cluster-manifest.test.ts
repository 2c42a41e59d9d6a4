// One database, one manifest: a process whose manifest differs from the one live processes run is
// refused, naming them and the differing tasks, and applies nothing; told to take over, it makes its
// manifest the cluster's, and each other process applies it when its own file holds it, or stops with
// a message that says why. PostgreSQL only: the embedded database is one process's.
import t from 'tap'
import { createLogger } from '../../runtime/logger.ts'
import { Runtime } from '../../runtime/runtime.ts'
import { DATABASE_URL, freshSchemas, onPostgres, startTestRuntime, waitFor } from '../helpers/runtime.ts'
import { sql, tempDir, writeManifest } from '../fixtures/engine/harness.ts'

const manifestText = (extra: string) => `version: 1
tasks:
  - { name: Root, plugin: "{{plugins}}/behave.ts" }
${extra}`
const M1 = manifestText('')
const M2 = manifestText('  - { name: Extra, plugin: "{{plugins}}/behave.ts", prerequisites: { Root: processed } }\n')
const M3 = manifestText('  - { name: Other, plugin: "{{plugins}}/behave.ts" }\n')

t.test('a different manifest is refused while others live; a take-over is applied or stops them', { skip: !onPostgres && 'PostgreSQL only (embedded is one process)' }, async t => {
  const dir = tempDir(t)
  const schemas = freshSchemas()
  const superseded: Array<[string, string]> = []
  const fileA = writeManifest(dir, M1, 'a.yaml')
  const a = await startTestRuntime(t, { manifest: fileA, ...schemas, leaseSeconds: 3, onSuperseded: message => superseded.push(['a', message]) })
  const fileB = writeManifest(dir, M2, 'b.yaml')
  const start = (manifest: string, more: object = {}) => Runtime.start({
    manifest, databaseUrl: DATABASE_URL, ...schemas, leaseSeconds: 3, shutdownGraceSeconds: 1, logger: createLogger('silent'), ...more
  })

  await t.rejects(start(fileB), {
    code: 'BLAST_MANIFEST_CONFLICT',
    message: `this manifest differs from the one the cluster runs in "Extra" (only in this manifest); live processes: ${a.workerId} (host `
  }, 'refused, naming the live process and the differing task')
  const tasks = await sql<{ name: string }>(a, 'SELECT name FROM {s}.task WHERE in_manifest ORDER BY name')
  t.same(tasks.map(row => row.name), ['Root'], 'and nothing of it was applied')

  // a's own file now holds the new manifest (a rolling change): the take-over is applied by a
  writeManifest(dir, M2, 'a.yaml')
  const b = await start(fileB, { takeOver: true, onSuperseded: (message: string) => superseded.push(['b', message]) })
  t.teardown(() => b.stop())
  await waitFor(() => a.plan.tasks.has('Extra'), { what: 'a to apply the cluster\'s new manifest', timeoutMs: 30000 })
  t.same(superseded, [], 'a applied it and goes on')

  // a third manifest, taking over: neither a's file nor b's holds it, both stop saying why
  const c = await start(writeManifest(dir, M3, 'c.yaml'), { takeOver: true })
  t.teardown(() => c.stop())
  await waitFor(() => superseded.length === 2, { what: 'a and b to be superseded', timeoutMs: 30000 })
  for (const [who, message] of superseded) {
    t.match(message, new RegExp(`^the cluster now runs another manifest \\(made the cluster's by worker ${c.workerId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} at .*\\); ` +
      'this process\'s manifest differs in "Extra" \\(only in this manifest\\), "Other" \\(only in the cluster\'s\\); stopping: start it again with the cluster\'s manifest$'), `${who} says why`)
  }
  t.same(superseded.map(([who]) => who).sort(), ['a', 'b'])
})
