// Transient task "Validate coordinates": the root of the graph. Everything downstream does
// spherical trigonometry on ra_deg/dec_deg, so a position that cannot be right must stop here with
// a domain status rather than surface later as a wrong host or a NaN in some distant output.
import type { TaskResult, Transient } from 'blast-tasks'
import { formatSexagesimal } from './lib/astro.ts'

export async function process (transient: Transient): Promise<TaskResult> {
  const { ra_deg: ra, dec_deg: dec } = transient
  const problems: string[] = []
  // the runtime already refuses out-of-range input; checked again because this task is the
  // graph's guarantee to its children, whatever path the row took into the database
  if (typeof ra !== 'number' || !Number.isFinite(ra)) problems.push(`ra_deg ${String(ra)} is not a finite number`)
  else if (ra < 0 || ra >= 360) problems.push(`ra_deg ${ra} is outside [0, 360)`)
  if (typeof dec !== 'number' || !Number.isFinite(dec)) problems.push(`dec_deg ${String(dec)} is not a finite number`)
  else if (dec < -90 || dec > 90) problems.push(`dec_deg ${dec} is outside [-90, 90]`)
  // exactly (0, 0) is the conventional stand-in for "position unknown" in alert streams and
  // spreadsheets; a real source there at the micro-degree level is not worth the false host match
  if (problems.length === 0 && ra === 0 && dec === 0) problems.push('(0, 0) is the placeholder for an unknown position')
  if (problems.length > 0) return { status: 'invalid coordinates', output: { problems } }
  // the sexagesimal form is what people compare against TNS and finding charts
  return {
    status: 'processed',
    output: { ra_hms: formatSexagesimal(ra, 'hours'), dec_dms: formatSexagesimal(dec, 'degrees') }
  }
}
