// Loads plugins/data/galaxies.csv, the small host-galaxy table of the example pipeline. Not a plugin.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parseCsv } from './csv.ts'
import { parseSexagesimal } from './astro.ts'

export interface Galaxy {
  readonly name: string
  readonly alias: string | null
  readonly ra_deg: number
  readonly dec_deg: number
  readonly redshift: number
  readonly major_axis_arcmin: number
}

export const GALAXY_TABLE = fileURLToPath(new URL('../data/galaxies.csv', import.meta.url))

let cached: Promise<readonly Galaxy[]> | undefined

/** Parses the table once per process; a malformed row is a bug in the shipped data, so it throws. */
export function loadGalaxies (): Promise<readonly Galaxy[]> {
  cached ??= readFile(GALAXY_TABLE, 'utf8').then(text => parseGalaxies(text, GALAXY_TABLE))
  return cached
}

export function parseGalaxies (text: string, file: string): Galaxy[] {
  const { header, records } = parseCsv(text)
  const col = (name: string): number => {
    const i = header.indexOf(name)
    if (i < 0) throw new Error(`${file}: column "${name}" is missing; found: ${header.join(', ')}`)
    return i
  }
  const [name, alias, ra, dec, z, axis] = ['name', 'alias', 'ra', 'dec', 'redshift', 'major_axis_arcmin'].map(col)
  return records.map(({ line, values }) => {
    const galaxy: Galaxy = {
      name: values[name] ?? '',
      alias: values[alias] || null,
      ra_deg: parseSexagesimal(values[ra] ?? '', 'hours'),
      dec_deg: parseSexagesimal(values[dec] ?? '', 'degrees'),
      redshift: toNumber(values[z]),
      major_axis_arcmin: toNumber(values[axis])
    }
    const bad = Object.entries(galaxy).filter(([, v]) => v === '' || Number.isNaN(v)).map(([k]) => k)
    if (!(galaxy.major_axis_arcmin > 0)) bad.push('major_axis_arcmin')
    if (bad.length > 0) throw new Error(`${file}:${line}: bad ${bad.join(', ')}`)
    return galaxy
  })
}

// Number('') is 0, which would turn a blank cell into a real-looking value
function toNumber (text: string | undefined): number {
  return text === undefined || text.trim() === '' ? NaN : Number(text)
}
