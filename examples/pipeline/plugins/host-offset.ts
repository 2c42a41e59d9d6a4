// Transient task "Host offset" (fan-in of "Host match" and "Luminosity distance"): the projected
// physical distance between the transient and its host's nucleus, r = θ · D_A with
// D_A = D_L / (1 + z)². Offsets separate populations (e.g. kilonovae far from star formation).
import type { TaskResult, Transient } from 'blast-tasks'
import { numberField, round, upstreamOutput } from './lib/outputs.ts'

const ARCSEC_TO_RAD = Math.PI / (180 * 3600)

export async function process (transient: Transient): Promise<TaskResult> {
  const host = upstreamOutput(transient, 'Host match')
  const distance = upstreamOutput(transient, 'Luminosity distance')
  const separation = numberField(host, 'separation_arcsec', 'Host match')
  const z = numberField(distance, 'redshift', 'Luminosity distance')
  const dl = numberField(distance, 'luminosity_distance_mpc', 'Luminosity distance')
  const da = dl / (1 + z) ** 2
  const majorAxis = numberField(host, 'host_major_axis_arcmin', 'Host match')
  return {
    status: 'processed',
    output: {
      host: host.host,
      separation_arcsec: separation,
      angular_diameter_distance_mpc: round(da, 3),
      projected_offset_kpc: round(separation * ARCSEC_TO_RAD * da * 1000, 3),
      // the host's D25 radius at the same distance, to read the offset against the galaxy's size
      host_radius_kpc: round(majorAxis * 30 * ARCSEC_TO_RAD * da * 1000, 2),
      distance_redshift_source: distance.redshift_source
    }
  }
}
