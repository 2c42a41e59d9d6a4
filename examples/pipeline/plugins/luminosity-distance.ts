// Transient task "Luminosity distance": D_L and the distance modulus from a redshift, in flat ΛCDM
// with H0 = 70 km/s/Mpc and Ω_m = 0.3. The transient's own (spectroscopic) redshift is preferred;
// otherwise the matched host's. Only a positive redshift measures distance: a blueshift (M31, M81)
// is the galaxy's own motion towards us, so it yields `no redshift` rather than a negative distance.
import type { TaskResult, Transient } from 'blast-tasks'
import { CONCORDANCE, SPEED_OF_LIGHT_KM_S, distanceModulus, luminosityDistanceMpc } from './lib/astro.ts'
import { round, upstreamOutput } from './lib/outputs.ts'

const HOST_MATCH = 'Host match'
// Typical galaxy peculiar velocity. Below cz ≈ 10× this the Hubble-law distance is off by more
// than ~10%, and for the Local Volume (cz < 1000 km/s) by a factor that can reach 2.
const PECULIAR_VELOCITY_KM_S = 300

export async function process (transient: Transient): Promise<TaskResult> {
  const hostRedshift = upstreamOutput(transient, HOST_MATCH).host_redshift
  const candidates = [
    { source: 'transient', z: transient.redshift },
    { source: 'host', z: typeof hostRedshift === 'number' ? hostRedshift : null }
  ] as const
  const chosen = candidates.find(c => typeof c.z === 'number' && Number.isFinite(c.z) && c.z > 0)
  if (chosen === undefined || chosen.z === null) {
    return {
      status: 'no redshift',
      output: { transient_redshift: transient.redshift, host_redshift: hostRedshift ?? null }
    }
  }
  const z = chosen.z
  const dl = luminosityDistanceMpc(z, CONCORDANCE)
  const cz = SPEED_OF_LIGHT_KM_S * z
  return {
    status: 'processed',
    output: {
      redshift: z,
      redshift_source: chosen.source,
      luminosity_distance_mpc: round(dl, 3),
      distance_modulus: round(distanceModulus(dl), 3),
      cz_km_s: round(cz, 1),
      // 1σ fractional error from peculiar motion alone; honest for nearby hosts, where it dominates
      peculiar_velocity_uncertainty: round(PECULIAR_VELOCITY_KM_S / cz, 3),
      cosmology: { h0: CONCORDANCE.h0, omega_m: CONCORDANCE.omegaM, flat: true }
    }
  }
}
