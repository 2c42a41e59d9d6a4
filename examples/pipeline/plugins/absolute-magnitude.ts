// Transient task "Absolute magnitude" (fan-in of "Luminosity distance" and "Galactic coordinates"):
// M = m − μ − A_band, from the apparent peak magnitude in data.peak_mag (band in data.peak_band,
// V when absent).
//
// A is a CRUDE estimate of Milky Way extinction from Galactic latitude alone, the cosecant law
// A_B = 0.165 (csc|b| − 1) for |b| < 50°, else 0 (Sandage 1973), converted to other bands with the
// Cardelli–Clayton–Mathis R_V = 3.1 law. Real dust is patchy: use a dust map (Schlafly &
// Finkbeiner 2011 on SFD) for anything but a demonstration. Host-galaxy extinction is not removed.
import type { TaskResult, Transient } from 'blast-tasks'
import { ccmExtinctionRatio } from './lib/astro.ts'
import { numberField, round, upstreamOutput } from './lib/outputs.ts'

// Effective wavelengths (μm): Johnson–Cousins UBVRI, 2MASS JHK, SDSS ugriz (ZTF/Pan-STARRS g r i z
// are within a few per cent of these, well inside the accuracy of the extinction estimate).
const BAND_MICRON: Readonly<Record<string, number>> = {
  U: 0.365, B: 0.445, V: 0.551, R: 0.658, I: 0.806, J: 1.235, H: 1.662, K: 2.159,
  u: 0.3551, g: 0.4686, r: 0.6166, i: 0.7480, z: 0.8932
}
const SANDAGE_LIMIT_DEG = 50

export async function process (transient: Transient): Promise<TaskResult> {
  const peak = transient.data.peak_mag
  const m = typeof peak === 'string' && peak.trim() !== '' ? Number(peak) : peak
  if (typeof m !== 'number' || !Number.isFinite(m)) return 'no peak magnitude'
  const band = typeof transient.data.peak_band === 'string' ? transient.data.peak_band.trim() : 'V'
  const wavelength = BAND_MICRON[band]
  if (wavelength === undefined) {
    throw new Error(`peak_band "${band}" is not one of ${Object.keys(BAND_MICRON).join(' ')}`)
  }

  const distance = upstreamOutput(transient, 'Luminosity distance')
  const mu = numberField(distance, 'distance_modulus', 'Luminosity distance')
  const b = numberField(upstreamOutput(transient, 'Galactic coordinates'), 'b_deg', 'Galactic coordinates')

  const absB = Math.abs(b)
  const extinctionB = absB < SANDAGE_LIMIT_DEG ? 0.165 * (1 / Math.sin(absB * Math.PI / 180) - 1) : 0
  const extinction = extinctionB * ccmExtinctionRatio(wavelength) / ccmExtinctionRatio(BAND_MICRON.B)
  return {
    status: 'processed',
    output: {
      apparent_mag: m,
      band,
      distance_modulus: mu,
      galactic_latitude_deg: round(b, 3),
      extinction_mag: round(extinction, 3),
      extinction_method: 'cosecant law A_B = 0.165 (csc|b| - 1), |b| < 50 deg (Sandage 1973); crude',
      absolute_mag: round(m - mu - extinction, 2),
      // carried along so nobody mistakes a Local Volume redshift distance for a measured one
      peculiar_velocity_uncertainty: distance.peculiar_velocity_uncertainty ?? null
    }
  }
}
