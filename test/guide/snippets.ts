// What the guide tests share: the fenced blocks of a markdown file, an `npx` that maps
// `npx blast-tasks …` onto this checkout's CLI, and a bash that runs a block the way a reader would.
import { spawn } from 'node:child_process'
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO = fileURLToPath(new URL('../../', import.meta.url))
export const CLI = join(REPO, 'runtime', 'cli.ts')

export interface Block {
  /** the first word of the info string: sh, yaml, ts, json, text… */
  readonly lang: string
  /** `title="…"` of the info string, when given */
  readonly title: string | null
  readonly code: string
  /** 1-based line of the opening fence */
  readonly line: number
}

/** every fenced block of a markdown text, in order */
export function blocks (markdown: string): Block[] {
  const found: Block[] = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(.*)$/.exec(lines[i])
    if (!open) continue
    const [, indent, fence, info] = open
    const body: string[] = []
    let j = i + 1
    for (; j < lines.length && !new RegExp(`^\\s*${fence}\\s*$`).test(lines[j]); j++) body.push(lines[j].slice(indent.length))
    found.push({
      lang: info.trim().split(/\s+/)[0] ?? '',
      title: /title="([^"]+)"/.exec(info)?.[1] ?? null,
      code: body.join('\n') + '\n',
      line: i + 1
    })
    i = j
  }
  return found
}

export async function readDoc (path: string): Promise<string> {
  return readFile(join(REPO, path), 'utf8')
}

/** a folder holding an `npx` that runs `npx blast-tasks …` as this checkout's CLI, and refuses anything else */
export async function npxShim (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'blast-npx-'))
  const script = `#!/bin/sh
if [ "$1" = "blast-tasks" ]; then shift; exec "${process.execPath}" "${CLI}" "$@"; fi
echo "npx $*: the docs should only call npx blast-tasks" >&2
exit 127
`
  await writeFile(join(dir, 'npx'), script)
  await chmod(join(dir, 'npx'), 0o755)
  return dir
}

export interface Ran { readonly code: number; readonly out: string; readonly err: string }

/** runs a block with bash -euo pipefail, as a reader pasting it into a terminal would (but stopping at the first failure) */
export function bash (code: string, options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--norc', '--noprofile', '-euo', 'pipefail', '-c', code], { cwd: options.cwd, env: options.env })
    let out = ''
    let err = ''
    child.stdout.on('data', chunk => { out += chunk })
    child.stderr.on('data', chunk => { err += chunk })
    child.on('error', reject)
    child.on('close', status => resolve({ code: status ?? 1, out, err }))
  })
}

export async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

export function which (command: string): Promise<boolean> {
  return bash(`command -v ${command}`, { cwd: REPO, env: process.env }).then(r => r.code === 0)
}
