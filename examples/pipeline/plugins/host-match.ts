// Transient task "Host match": the galaxy of plugins/data/galaxies.csv that the transient most
// plausibly sits in. A galaxy is a candidate when the transient lies within its D25 radius (half
// the major-axis diameter); among candidates the smallest separation in units of that radius wins,
// so a supernova in the outskirts of a giant spiral is not handed to a compact neighbour just
// because the neighbour's nucleus is nearer. Without a position angle and axis ratio the circle of
// radius a/2 is used: it contains the true D25 ellipse, so edge-on discs are matched generously.
import type { TaskResult, Transient } from 'blast-tasks'
import { angularSeparationDeg } from './lib/astro.ts'
import { loadGalaxies } from './lib/galaxies.ts'
import { round } from './lib/outputs.ts'

export async function process (transient: Transient): Promise<TaskResult> {
  const galaxies = await loadGalaxies()
  const ranked = galaxies
    .map(galaxy => {
      const separationArcmin = 60 * angularSeparationDeg(transient.ra_deg, transient.dec_deg, galaxy.ra_deg, galaxy.dec_deg)
      return { galaxy, separationArcmin, normalized: separationArcmin / (galaxy.major_axis_arcmin / 2) }
    })
    .sort((a, b) => a.normalized - b.normalized)
  const best = ranked[0]
  if (best === undefined || best.normalized > 1) {
    // say how close the nearest miss was, so a too-small table or radius is easy to spot
    const nearest = ranked.reduce((a, b) => (b.separationArcmin < a.separationArcmin ? b : a), ranked[0])
    return {
      status: 'no host match',
      output: nearest === undefined
        ? { galaxies_searched: 0 }
        : {
            galaxies_searched: galaxies.length,
            nearest_galaxy: nearest.galaxy.name,
            nearest_separation_arcmin: round(nearest.separationArcmin, 2),
            nearest_radius_arcmin: nearest.galaxy.major_axis_arcmin / 2
          }
    }
  }
  const { galaxy } = best
  return {
    status: 'processed',
    output: {
      host: galaxy.name,
      host_alias: galaxy.alias,
      host_ra_deg: round(galaxy.ra_deg, 6),
      host_dec_deg: round(galaxy.dec_deg, 6),
      host_redshift: galaxy.redshift,
      host_major_axis_arcmin: galaxy.major_axis_arcmin,
      separation_arcsec: round(best.separationArcmin * 60, 2),
      // separation / D25 radius: 0 at the nucleus, 1 at the edge of the matching circle
      normalized_separation: round(best.normalized, 4),
      candidates: ranked.filter(c => c.normalized <= 1).length
    }
  }
}
