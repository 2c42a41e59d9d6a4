// Shared astronomy for the example plugins: angles, coordinate frames and flat ΛCDM distances.
// Not a plugin (subfolders of plugins/ are never loaded as tasks); pure functions, no I/O.

const DEG = Math.PI / 180
export const SPEED_OF_LIGHT_KM_S = 299_792.458

/** Angle in degrees wrapped into [0, 360). */
export function wrapDegrees (deg: number): number {
  const w = deg % 360
  return w < 0 ? w + 360 : w
}

/**
 * Great-circle separation in degrees. Vincenty's form of the haversine: well conditioned at 0° and
 * 180°, where the plain cosine formula loses precision for arcsecond offsets.
 */
export function angularSeparationDeg (ra1: number, dec1: number, ra2: number, dec2: number): number {
  const dRa = (ra2 - ra1) * DEG
  const [s1, c1] = [Math.sin(dec1 * DEG), Math.cos(dec1 * DEG)]
  const [s2, c2] = [Math.sin(dec2 * DEG), Math.cos(dec2 * DEG)]
  const num1 = c2 * Math.sin(dRa)
  const num2 = c1 * s2 - s1 * c2 * Math.cos(dRa)
  const den = s1 * s2 + c1 * c2 * Math.cos(dRa)
  return Math.atan2(Math.hypot(num1, num2), den) / DEG
}

// ICRS/J2000 → Galactic rotation matrix (Hipparcos catalogue vol. 1, sec. 1.5.3; the IAU 1958
// definition carried to J2000: NGP at RA 192.85948°, Dec 27.12825°, l of the NCP 122.93192°).
const EQ_TO_GAL = [
  [-0.0548755604162154, -0.8734370902348850, -0.4838350155487132],
  [+0.4941094278755837, -0.4448296299600112, +0.7469822444972189],
  [-0.8676661490190047, -0.1980763734312015, +0.4559837761750669]
] as const

/** Equatorial J2000 (degrees) → Galactic longitude l in [0, 360) and latitude b in [-90, 90]. */
export function equatorialToGalactic (raDeg: number, decDeg: number): { l_deg: number; b_deg: number } {
  const ra = raDeg * DEG
  const dec = decDeg * DEG
  const v = [Math.cos(dec) * Math.cos(ra), Math.cos(dec) * Math.sin(ra), Math.sin(dec)]
  const [x, y, z] = EQ_TO_GAL.map(row => row[0] * v[0] + row[1] * v[1] + row[2] * v[2])
  // clamp: rounding can push |z| a hair past 1 at the poles
  const b = Math.asin(Math.max(-1, Math.min(1, z))) / DEG
  // at a pole l is undefined; atan2(0, 0) = 0 is as good as any
  return { l_deg: wrapDegrees(Math.atan2(y, x) / DEG), b_deg: b }
}

/**
 * "hh:mm:ss.s" (hours, for RA) or "±dd:mm:ss.s" (degrees, for Dec) → decimal degrees; spaces work as
 * separators too. Returns NaN for anything else.
 */
export function parseSexagesimal (text: string, unit: 'hours' | 'degrees'): number {
  const m = /^\s*([+-]?)(\d{1,3})[:\s]+(\d{1,2})[:\s]+(\d{1,2}(?:\.\d*)?)\s*$/.exec(text)
  if (m === null) return NaN
  const [, sign, a, b, c] = m
  const minutes = Number(b)
  const seconds = Number(c)
  if (minutes >= 60 || seconds >= 60) return NaN
  const value = Number(a) + minutes / 60 + seconds / 3600
  return (sign === '-' ? -1 : 1) * value * (unit === 'hours' ? 15 : 1)
}

export interface Cosmology {
  /** Hubble constant, km/s/Mpc */
  readonly h0: number
  /** matter density today; flatness sets Ω_Λ = 1 − Ω_m (radiation neglected) */
  readonly omegaM: number
}

export const CONCORDANCE = { h0: 70, omegaM: 0.3 } as const satisfies Cosmology

/**
 * Line-of-sight comoving distance in Mpc for a flat ΛCDM universe:
 * D_C = (c / H0) ∫₀ᶻ dz' / E(z'), E(z) = √(Ω_m (1+z)³ + Ω_Λ), by composite Simpson's rule.
 * The integrand is smooth and slowly varying, so 200 intervals give better than 1e-9 relative error.
 */
export function comovingDistanceMpc (z: number, cosmo: Cosmology = CONCORDANCE): number {
  if (!(z >= 0)) throw new RangeError(`redshift must be a non-negative number, got ${z}`)
  const omegaL = 1 - cosmo.omegaM
  const invE = (x: number): number => 1 / Math.sqrt(cosmo.omegaM * (1 + x) ** 3 + omegaL)
  const n = 200 // even, as Simpson's rule needs
  const h = z / n
  let sum = invE(0) + invE(z)
  for (let i = 1; i < n; i++) sum += (i % 2 === 1 ? 4 : 2) * invE(i * h)
  return (SPEED_OF_LIGHT_KM_S / cosmo.h0) * (h / 3) * sum
}

/** D_L = (1 + z) D_C, in Mpc (flat universe: transverse comoving distance equals D_C). */
export function luminosityDistanceMpc (z: number, cosmo: Cosmology = CONCORDANCE): number {
  return (1 + z) * comovingDistanceMpc(z, cosmo)
}

/** D_A = D_C / (1 + z), in Mpc: converts an angle on the sky to a proper transverse size. */
export function angularDiameterDistanceMpc (z: number, cosmo: Cosmology = CONCORDANCE): number {
  return comovingDistanceMpc(z, cosmo) / (1 + z)
}

/** μ = 5 log10(D_L / 10 pc) = 5 log10(D_L / Mpc) + 25. */
export function distanceModulus (luminosityDistanceMpc: number): number {
  return 5 * Math.log10(luminosityDistanceMpc) + 25
}

/** Decimal degrees → "hh:mm:ss.ss" (hours) or "±dd:mm:ss.s" (degrees), rounded without a "60" field. */
export function formatSexagesimal (deg: number, unit: 'hours' | 'degrees'): string {
  const decimals = unit === 'hours' ? 2 : 1
  const scale = 10 ** decimals
  const value = unit === 'hours' ? wrapDegrees(deg) / 15 : Math.abs(deg)
  // round once, in the smallest unit shown, then split: 59.996 s carries into the minutes
  let ticks = Math.round(value * 3600 * scale)
  if (unit === 'hours') ticks %= 24 * 3600 * scale
  const whole = Math.floor(ticks / (3600 * scale))
  const minutes = Math.floor(ticks / (60 * scale)) % 60
  const seconds = (ticks % (60 * scale)) / scale
  const pad = (n: number, width: number): string => String(n).padStart(width, '0')
  const secs = seconds.toFixed(decimals).padStart(3 + decimals, '0')
  const sign = unit === 'hours' ? '' : deg < 0 && ticks > 0 ? '-' : '+'
  return `${sign}${pad(whole, 2)}:${pad(minutes, 2)}:${secs}`
}

/**
 * Extinction in a band relative to V, A_λ / A_V, from the Cardelli, Clayton & Mathis (1989, ApJ 345,
 * 245) law, eqs. 2–3, for 0.3 ≤ x ≤ 3.3 μm⁻¹ (wavelengths 0.303–3.33 μm, i.e. UV-edge to K).
 */
export function ccmExtinctionRatio (wavelengthMicron: number, rv = 3.1): number {
  const x = 1 / wavelengthMicron
  if (!(x >= 0.3 && x <= 3.3)) throw new RangeError(`wavelength ${wavelengthMicron} μm is outside the CCM optical/IR range 0.303–3.33 μm`)
  if (x < 1.1) {
    const p = x ** 1.61
    return 0.574 * p + (-0.527 * p) / rv
  }
  const y = x - 1.82
  const poly = (c: readonly number[]): number => c.reduceRight((acc, k) => acc * y + k, 0)
  const a = poly([1, 0.17699, -0.50447, -0.02427, 0.72085, 0.01979, -0.77530, 0.32999])
  const b = poly([0, 1.41338, 2.28305, 1.07233, -5.38434, -0.62251, 5.30260, -2.09002])
  return a + b / rv
}
