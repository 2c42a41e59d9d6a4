// Transient task "Galactic coordinates": equatorial J2000 → Galactic (l, b) by the IAU/Hipparcos
// rotation matrix. The latitude feeds the extinction estimate in "Absolute magnitude".
import type { TaskResult, Transient } from 'blast-tasks'
import { equatorialToGalactic } from './lib/astro.ts'
import { round } from './lib/outputs.ts'

export async function process (transient: Transient): Promise<TaskResult> {
  const { l_deg, b_deg } = equatorialToGalactic(transient.ra_deg, transient.dec_deg)
  // 1e-6 degree is 3.6 milliarcseconds, below any transient's positional error
  return { status: 'processed', output: { l_deg: round(l_deg, 6), b_deg: round(b_deg, 6) } }
}
