// blast-tasks/testing: runTask runs a task's plugin like a worker (the frozen transient view, the
// prerequisites' outputs under the status they require, the result checked against the manifest)
// and resolves with the status the runtime would write; only a mistake in the setup rejects.
// Against the example pipeline's manifest and plugins, no database.
import { join } from 'node:path'
import t from 'tap'
import { loadManifest } from '../../runtime/manifest/index.ts'
import { runTask } from '../../runtime/testing.ts'

const MANIFEST = join(import.meta.dirname, '../../examples/pipeline/blast.tasks.yaml')
const upstream = {
  'Luminosity distance': { distance_modulus: 29.04, luminosity_distance_mpc: 6.44 },
  'Galactic coordinates': { l_deg: 102.04, b_deg: 59.77 }
}
const sn2011fe = { name: '2011fe', ra_deg: 210.774, dec_deg: 54.274, data: { peak_mag: 9.9, peak_band: 'V' } }

t.test('a plugin on a described transient, with its prerequisites\' outputs', async t => {
  const result = await runTask(MANIFEST, 'Absolute magnitude', sn2011fe, upstream)
  t.equal(result.status, 'processed')
  t.equal(result.type, 'success')
  t.equal(result.error, null)
  t.match(result.output, { absolute_mag: Number, band: 'V' })
  t.ok((result.output as { absolute_mag: number }).absolute_mag < -19, `M = ${(result.output as { absolute_mag: number }).absolute_mag}`)
})

t.test('a declared error status, and a loaded Manifest instead of a path', async t => {
  const { manifest } = await loadManifest(MANIFEST, { checkPlugins: false })
  const result = await runTask(manifest!, 'Absolute magnitude', { ...sn2011fe, data: {} }, upstream)
  t.same([result.status, result.type, result.error], ['no peak magnitude', 'error', null])
})

t.test('a throw is the task\'s failed status with the error, as the runtime writes it', async t => {
  const result = await runTask(MANIFEST, 'Absolute magnitude', { ...sn2011fe, data: { peak_mag: 9.9, peak_band: 'Q' } }, upstream)
  t.equal(result.status, 'failed')
  t.match(result.error, { message: /^peak_band "Q" is not one of U B V/, stack: /absolute-magnitude\.ts/ })
  t.equal(result.output, null)
})

t.test('a prerequisite left out is absent from transient.tasks, as the plugin would find it', async t => {
  const result = await runTask(MANIFEST, 'Absolute magnitude', sn2011fe, { 'Luminosity distance': upstream['Luminosity distance'] })
  t.equal(result.status, 'failed')
  t.match(result.error?.message, /Galactic coordinates/)
})

t.test('mistakes in the test itself reject, saying what is allowed', async t => {
  await t.rejects(runTask(MANIFEST, 'Absolute magnitud', sn2011fe), { message: /^task "Absolute magnitud" is not declared; declared: Ingest inbox, / })
  await t.rejects(runTask(MANIFEST, 'Ingest inbox', sn2011fe), { message: '"Ingest inbox" is a system task; runTask runs transient tasks' })
  await t.rejects(runTask(MANIFEST, 'Absolute magnitude', { ...sn2011fe, dec_deg: 95 }), { message: /^transient: .*dec_deg/ })
  await t.rejects(runTask(MANIFEST, 'Absolute magnitude', sn2011fe, { 'Luminosity distanc': {} }), { message: /^outputs: task "Luminosity distanc" is not declared/ })
  await t.rejects(runTask(join(import.meta.dirname, 'nowhere.yaml'), 'x', sn2011fe), { message: /nowhere\.yaml has errors:\n.*BLAST_MANIFEST_READ/ })
})
