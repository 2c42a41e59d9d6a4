// Transient task "Validate coordinates": the root of the graph. Everything downstream does
// spherical trigonometry on ra_deg/dec_deg, so an impossible position must stop here with a
// domain status rather than surface later as a NaN in some distant output.
import type { TaskResult, Transient } from 'blast-tasks'
import { formatSexagesimal } from './lib/astro.ts'

export async function process (transient: Transient): Promise<TaskResult> {
  const { ra_deg: ra, dec_deg: dec } = transient
  const problems: string[] = []
  if (typeof ra !== 'number' || !Number.isFinite(ra)) problems.push(`ra_deg ${String(ra)} is not a finite number`)
  else if (ra < 0 || ra >= 360) problems.push(`ra_deg ${ra} is outside [0, 360)`)
  if (typeof dec !== 'number' || !Number.isFinite(dec)) problems.push(`dec_deg ${String(dec)} is not a finite number`)
  else if (dec < -90 || dec > 90) problems.push(`dec_deg ${dec} is outside [-90, 90]`)
  if (problems.length > 0) return { status: 'invalid coordinates', output: { problems } }
  // the sexagesimal form is what people compare against TNS and finding charts
  return {
    status: 'processed',
    output: { ra_hms: formatSexagesimal(ra, 'hours'), dec_dms: formatSexagesimal(dec, 'degrees') }
  }
}
