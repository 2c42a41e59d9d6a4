// Each transient plugin called directly, as the dispatcher would, on transients built here.
import t from 'tap'
import type { TaskContext, TaskResult, TaskState, Transient, TransientProcess } from 'blast-tasks'
import * as validate from '../../examples/pipeline/plugins/validate-coordinates.ts'
import * as galactic from '../../examples/pipeline/plugins/galactic-coordinates.ts'
import * as host from '../../examples/pipeline/plugins/host-match.ts'
import * as distance from '../../examples/pipeline/plugins/luminosity-distance.ts'
import * as magnitude from '../../examples/pipeline/plugins/absolute-magnitude.ts'
import * as offset from '../../examples/pipeline/plugins/host-offset.ts'

const noop = (): void => {}
const ctx = (task: string): TaskContext => ({
  log: { debug: noop, info: noop, warn: noop, error: noop },
  signal: new AbortController().signal,
  task,
  attempt: 1
})

// typed as the contract says, then called the way the dispatcher calls them
const task = (name: string, process: TransientProcess) =>
  async (transient: Transient): Promise<TaskResult> => await process(transient, ctx(name))
const validateCoordinates = task('Validate coordinates', validate.process)
const galacticCoordinates = task('Galactic coordinates', galactic.process)
const hostMatch = task('Host match', host.process)
const luminosityDistance = task('Luminosity distance', distance.process)
const absoluteMagnitude = task('Absolute magnitude', magnitude.process)
const hostOffset = task('Host offset', offset.process)

function transient (fields: Partial<Transient> & Pick<Transient, 'ra_deg' | 'dec_deg'>): Transient {
  return { name: 'test', public_timestamp: null, redshift: null, data: {}, tasks: {}, ...fields }
}
const done = (output: unknown): TaskState => ({ status: 'processed', type: 'success', output })

function statusOf (result: TaskResult): string {
  return typeof result === 'string' ? result : result.status
}
function outputOf (result: TaskResult): Record<string, unknown> {
  if (typeof result === 'string') throw new Error(`expected an output, got the bare status "${result}"`)
  return result.output as Record<string, unknown>
}

// SN 2011fe, the Type Ia in M101
const SN2011FE = { name: '2011fe', ra_deg: 210.774208, dec_deg: 54.273722 }

t.test('Validate coordinates', async t => {
  const ok = await validateCoordinates(transient(SN2011FE))
  t.same(ok, { status: 'processed', output: { ra_hms: '14:03:05.81', dec_dms: '+54:16:25.4' } })
  t.same(await validateCoordinates(transient({ ra_deg: 360, dec_deg: -91 })), {
    status: 'invalid coordinates',
    output: { problems: ['ra_deg 360 is outside [0, 360)', 'dec_deg -91 is outside [-90, 90]'] }
  })
  t.equal(statusOf(await validateCoordinates(transient({ ra_deg: NaN, dec_deg: 0 }))), 'invalid coordinates')
  t.equal(statusOf(await validateCoordinates(transient({ ra_deg: 0, dec_deg: -90 }))), 'processed', 'the edges are valid')
  t.same(await validateCoordinates(transient({ ra_deg: 0, dec_deg: 0 })), {
    status: 'invalid coordinates',
    output: { problems: ['(0, 0) is the placeholder for an unknown position'] }
  })
  t.equal(statusOf(await validateCoordinates(transient({ ra_deg: 0, dec_deg: 1e-6 }))), 'processed', 'only exactly (0, 0)')
})

t.test('Galactic coordinates', async t => {
  const ngp = outputOf(await galacticCoordinates(transient({ ra_deg: 192.85948, dec_deg: 27.12825 })))
  t.ok(Math.abs((ngp.b_deg as number) - 90) < 1e-5, 'north galactic pole: b = 90')
  const sgrA = outputOf(await galacticCoordinates(transient({ ra_deg: 266.41684, dec_deg: -29.00781 })))
  const l = sgrA.l_deg as number
  t.ok((l < 0.1 || l > 359.9) && Math.abs(sgrA.b_deg as number) < 0.1, `Sgr A*: ${JSON.stringify(sgrA)}`)
})

t.test('Host match', async t => {
  const m101 = outputOf(await hostMatch(transient(SN2011FE)))
  t.equal(m101.host, 'M101')
  t.equal(m101.host_redshift, 0.000804)
  // SN 2011fe is 4.6 arcmin SSW of the M101 nucleus
  t.ok(Math.abs((m101.separation_arcsec as number) - 277.7) < 1, `separation ${m101.separation_arcsec}"`)
  // AT 2017gfo sits ~10" from the nucleus of NGC 4993
  const gfo = outputOf(await hostMatch(transient({ ra_deg: 197.450354, dec_deg: -23.381486 })))
  t.equal(gfo.host, 'NGC 4993')
  t.ok(Math.abs((gfo.separation_arcsec as number) - 10.15) < 0.1)
  // SN 2014J: inside M82 (r = 5.6') and 36' from M81 (r = 13.45'), so M82
  t.equal(outputOf(await hostMatch(transient({ ra_deg: 148.925583, dec_deg: 69.673889 }))).host, 'M82')
  // SN 1987A is in the LMC, which the table leaves out
  const lmc = await hostMatch(transient({ ra_deg: 83.866792, dec_deg: -69.269944 }))
  t.equal(statusOf(lmc), 'no host match')
  t.equal(outputOf(lmc).galaxies_searched, 15)
})

t.test('Luminosity distance', async t => {
  const withHost = (z: number | null, hostZ: number): Transient =>
    transient({ ...SN2011FE, redshift: z, tasks: { 'Host match': done({ host: 'X', host_redshift: hostZ }) } })
  const own = outputOf(await luminosityDistance(withHost(0.1, 0.02)))
  t.equal(own.redshift_source, 'transient')
  // flat ΛCDM H0 = 70, Ωm = 0.3: D_L(0.1) = 460.3 Mpc (astropy), μ = 38.315
  t.ok(Math.abs((own.luminosity_distance_mpc as number) / 460.3 - 1) < 0.005, `D_L = ${own.luminosity_distance_mpc}`)
  t.ok(Math.abs((own.distance_modulus as number) - 38.315) < 0.01, `μ = ${own.distance_modulus}`)
  const host = outputOf(await luminosityDistance(withHost(null, 0.009727)))
  t.same([host.redshift_source, host.redshift], ['host', 0.009727])
  t.ok(Math.abs((host.luminosity_distance_mpc as number) - 41.97) < 0.05)
  // a blueshifted host (M81) gives no distance
  t.same(await luminosityDistance(withHost(null, -0.000113)), {
    status: 'no redshift',
    output: { transient_redshift: null, host_redshift: -0.000113 }
  })
  await t.rejects(luminosityDistance(transient(SN2011FE)), /no "Host match" result/)
})

t.test('Absolute magnitude', async t => {
  const upstream = (b: number): Transient['tasks'] => ({
    'Luminosity distance': done({ distance_modulus: 30, peculiar_velocity_uncertainty: 0.1 }),
    'Galactic coordinates': done({ l_deg: 0, b_deg: b })
  })
  const high = outputOf(await absoluteMagnitude(transient({ ...SN2011FE, data: { peak_mag: 11 }, tasks: upstream(60) })))
  t.same([high.band, high.extinction_mag, high.absolute_mag], ['V', 0, -19], '|b| ≥ 50°: no extinction, M = m − μ')
  // at b = 30°, csc b = 2, so A_B = 0.165 and A_V = 0.165 / 1.306
  const low = outputOf(await absoluteMagnitude(transient({ ...SN2011FE, data: { peak_mag: 11, peak_band: 'B' }, tasks: upstream(-30) })))
  t.equal(low.extinction_mag, 0.165)
  t.ok(Math.abs((low.absolute_mag as number) + 19.165) < 0.006, `M = 11 - 30 - 0.165 = ${low.absolute_mag}`)
  const v = outputOf(await absoluteMagnitude(transient({ ...SN2011FE, data: { peak_mag: '11' }, tasks: upstream(30) })))
  t.ok(Math.abs((v.extinction_mag as number) - 0.126) < 0.002, `A_V = ${v.extinction_mag}`)
  t.equal(await absoluteMagnitude(transient({ ...SN2011FE, tasks: upstream(60) })), 'no peak magnitude')
  await t.rejects(absoluteMagnitude(transient({ ...SN2011FE, data: { peak_mag: 11, peak_band: 'W2' }, tasks: upstream(60) })),
    /peak_band "W2" is not one of/)
})

t.test('Host offset', async t => {
  // AT 2017gfo: ~10" from NGC 4993 at D_L = 41.97 Mpc is ~2 kpc projected
  const out = outputOf(await hostOffset(transient({
    ...SN2011FE,
    tasks: {
      'Host match': done({ host: 'NGC 4993', separation_arcsec: 10.15, host_major_axis_arcmin: 1.5 }),
      'Luminosity distance': done({ redshift: 0.009727, luminosity_distance_mpc: 41.971, redshift_source: 'host' })
    }
  })))
  t.ok(Math.abs((out.angular_diameter_distance_mpc as number) - 41.971 / 1.009727 ** 2) < 1e-3)
  t.ok(Math.abs((out.projected_offset_kpc as number) - 2.026) < 0.005, `offset ${out.projected_offset_kpc} kpc`)
})
