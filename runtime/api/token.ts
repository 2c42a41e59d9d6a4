// The API token: given by the operator, or generated once at first start and kept in the data
// directory (mode 0600) so that later starts, the CLI and curl can read the same one.
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const TOKEN_FILE = 'api-token'

export interface TokenLogger {
  warn(msg: string): void
}

export interface ResolvedToken {
  readonly token: string
  /** where the token is kept; null when it was given */
  readonly file: string | null
  /** true when this call created it */
  readonly generated: boolean
}

const generate = () => randomBytes(32).toString('base64url')

async function readToken(file: string, log: TokenLogger): Promise<string | null> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new Error(`cannot read the API token file ${file}: ${(err as Error).message}`, { cause: err })
  }
  const token = text.trim()
  if (token === '') throw new Error(`the API token file ${file} is empty; delete it to have a new token generated`)
  const { mode } = await stat(file)
  if ((mode & 0o077) !== 0) {
    log.warn(`the API token file ${file} was readable by others (mode ${(mode & 0o777).toString(8)}); set to 600`)
    await chmod(file, 0o600)
  }
  return token
}

export async function resolveToken(options: { token?: string | null; dataDir: string; log: TokenLogger }): Promise<ResolvedToken> {
  const { token, dataDir, log } = options
  // An empty token (BLAST_API_TOKEN= in the environment) counts as none given.
  if (token !== undefined && token !== null && token !== '') {
    if (/\s/.test(token)) throw new Error('the API token must not contain spaces')
    if (token.length < 16) log.warn('the API token is shorter than 16 characters; a long random one is safer')
    return { token, file: null, generated: false }
  }
  const file = join(dataDir, TOKEN_FILE)
  const existing = await readToken(file, log)
  if (existing !== null) return { token: existing, file, generated: false }

  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const fresh = generate()
  try {
    // `wx`: if another process created it meanwhile, use theirs rather than overwrite it.
    await writeFile(file, `${fresh}\n`, { mode: 0o600, flag: 'wx' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new Error(`cannot write the API token file ${file}: ${(err as Error).message}`, { cause: err })
    }
    const raced = await readToken(file, log)
    if (raced !== null) return { token: raced, file, generated: false }
  }
  await chmod(file, 0o600) // the umask may have narrowed it further, never widened: make it exact
  return { token: fresh, file, generated: true }
}
