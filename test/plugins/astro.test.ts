// The shared astronomy of the example plugins, against values known independently of this code.
import t from 'tap'
import {
  angularDiameterDistanceMpc, angularSeparationDeg, ccmExtinctionRatio, comovingDistanceMpc, distanceModulus,
  equatorialToGalactic, formatSexagesimal, luminosityDistanceMpc, parseSexagesimal, wrapDegrees
} from '../../examples/pipeline/plugins/lib/astro.ts'

// difference of two longitudes, in (-180, 180]
const dLon = (a: number, b: number): number => ((a - b + 540) % 360) - 180

t.test('equatorial to galactic', async t => {
  // the North Galactic Pole as the J2000 frame defines it
  t.ok(Math.abs(equatorialToGalactic(192.85948, 27.12825).b_deg - 90) < 1e-6, 'NGP has b = 90')
  const sgrA = equatorialToGalactic(266.41684, -29.00781) // Sgr A*, SIMBAD J2000
  t.ok(Math.abs(dLon(sgrA.l_deg, 0)) < 0.1 && Math.abs(sgrA.b_deg) < 0.1, `Sgr A* near (0, 0): ${JSON.stringify(sgrA)}`)
  t.ok(Math.abs(dLon(sgrA.l_deg, 359.9443)) < 1e-3 && Math.abs(sgrA.b_deg + 0.0462) < 1e-3, 'Sgr A* at l = 359.944, b = -0.046')
  // the North Celestial Pole sits at l = 122.93192 (the third defining angle of the frame)
  const ncp = equatorialToGalactic(0, 90)
  t.ok(Math.abs(ncp.l_deg - 122.93192) < 1e-4 && Math.abs(ncp.b_deg - 27.12825) < 1e-4, 'NCP at l = 122.932, b = 27.128')
  // AT 2017gfo, published as l = 308.38, b = +39.30
  const gfo = equatorialToGalactic(197.450354, -23.381486)
  t.ok(Math.abs(gfo.l_deg - 308.38) < 0.01 && Math.abs(gfo.b_deg - 39.30) < 0.01, 'AT 2017gfo')
  t.ok(equatorialToGalactic(100, -89.999).l_deg >= 0, 'l is wrapped into [0, 360)')
})

t.test('angular separation', async t => {
  t.equal(angularSeparationDeg(10, 20, 10, 20), 0)
  t.ok(Math.abs(angularSeparationDeg(0, 0, 180, 0) - 180) < 1e-12, 'antipodes')
  t.ok(Math.abs(angularSeparationDeg(0, 89, 180, 89) - 2) < 1e-9, 'across the pole')
  // one arcsecond in Dec, and one arcsecond of RA at Dec 60 (cos 60 = 1/2 → two seconds of RA angle)
  t.ok(Math.abs(angularSeparationDeg(50, 10, 50, 10 + 1 / 3600) * 3600 - 1) < 1e-6, '1 arcsec in Dec')
  t.ok(Math.abs(angularSeparationDeg(50, 60, 50 + 2 / 3600, 60) * 3600 - 1) < 1e-4, '1 arcsec at Dec 60')
})

t.test('flat ΛCDM distances (H0 = 70, Ωm = 0.3)', async t => {
  // reference: astropy FlatLambdaCDM(H0=70, Om0=0.3, Tcmb0=0): D_L(0.1) = 460.3 Mpc, D_L(1) = 6607.7 Mpc
  const within = (got: number, want: number, frac: number): boolean => Math.abs(got / want - 1) < frac
  t.ok(within(luminosityDistanceMpc(0.1), 460.3, 0.005), `D_L(0.1) = ${luminosityDistanceMpc(0.1)}`)
  t.ok(within(luminosityDistanceMpc(1), 6607.7, 0.005), `D_L(1) = ${luminosityDistanceMpc(1)}`)
  // at low z the Hubble law D ≈ cz/H0 holds
  t.ok(within(comovingDistanceMpc(0.001), 299792.458 * 0.001 / 70, 0.001), 'Hubble law limit')
  t.equal(luminosityDistanceMpc(0), 0)
  t.ok(Math.abs(angularDiameterDistanceMpc(1) - luminosityDistanceMpc(1) / 4) < 1e-9, 'D_A = D_L / (1 + z)²')
  t.ok(Math.abs(distanceModulus(10) - 30) < 1e-12, 'μ(10 Mpc) = 30')
  t.throws(() => luminosityDistanceMpc(-0.001), RangeError)
})

t.test('sexagesimal', async t => {
  t.ok(Math.abs(parseSexagesimal('14:03:05.81', 'hours') - 210.774208) < 1e-6)
  t.ok(Math.abs(parseSexagesimal('-23 22 53.35', 'degrees') + 23.381486) < 1e-6)
  t.ok(Math.abs(parseSexagesimal('-00:30:00', 'degrees') + 0.5) < 1e-12, 'the sign of a zero-degree Dec is kept')
  t.ok(Number.isNaN(parseSexagesimal('12:60:00', 'hours')), 'minutes must be < 60')
  t.ok(Number.isNaN(parseSexagesimal('12.5', 'hours')), 'a plain number is not sexagesimal')
  t.equal(formatSexagesimal(210.774208, 'hours'), '14:03:05.81')
  t.equal(formatSexagesimal(-0.5, 'degrees'), '-00:30:00.0')
  t.equal(formatSexagesimal(359.9999999, 'hours'), '00:00:00.00', 'rounding carries past 24h')
  t.equal(formatSexagesimal(10.99999999, 'degrees'), '+11:00:00.0', 'rounding carries into degrees')
  t.equal(wrapDegrees(-10), 350)
})

t.test('CCM extinction law', async t => {
  t.ok(Math.abs(ccmExtinctionRatio(0.551) - 1) < 0.01, 'A_V / A_V ≈ 1 at the V effective wavelength')
  // Cardelli et al. (1989) Table 3, R_V = 3.1: B 1.337 (at 0.44 μm), K 0.114 (2.2 μm)
  t.ok(Math.abs(ccmExtinctionRatio(0.44) - 1.337) < 0.02, 'B')
  t.ok(Math.abs(ccmExtinctionRatio(2.2) - 0.114) < 0.005, 'K')
  t.throws(() => ccmExtinctionRatio(0.2), RangeError, 'UV is out of range')
})
