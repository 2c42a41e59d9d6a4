// The embedded database's data dir (.blast: the lockfile, the API token, pgdata/) is private to the
// user: every directory 0700, every file 0600, whatever the umask, on a fresh dir and on one an older
// version left open to everyone. Always on the embedded database (this is about its files).
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { resolveToken } from '../../runtime/api/index.ts'
import { createLogger } from '../../runtime/logger.ts'
import { Runtime } from '../../runtime/runtime.ts'

const MANIFEST = fileURLToPath(new URL('../api/fixtures/blast.tasks.yaml', import.meta.url))
const log = createLogger('silent')

/** every path under dir (dir included) whose mode is not private, as `mode path` */
function notPrivate (dir: string): string[] {
  const wrong: string[] = []
  const stack = [dir]
  while (stack.length) {
    const path = stack.pop()!
    const stat = lstatSync(path)
    if (stat.isSymbolicLink()) continue
    const mode = stat.mode & 0o777
    if (stat.isDirectory()) {
      if (mode !== 0o700) wrong.push(`${mode.toString(8)} ${path}`)
      for (const name of readdirSync(path)) stack.push(join(path, name))
    } else if (mode !== 0o600) {
      wrong.push(`${mode.toString(8)} ${path}`)
    }
  }
  return wrong
}

function count (dir: string): number {
  let n = 0
  const stack = [dir]
  while (stack.length) {
    const path = stack.pop()!
    n++
    if (lstatSync(path).isDirectory()) for (const name of readdirSync(path)) stack.push(join(path, name))
  }
  return n
}

const start = (dataDir: string) => Runtime.start({ manifest: MANIFEST, databaseUrl: null, dataDir, logger: log, shutdownGraceSeconds: 2 })

// The most permissive umask there is: nothing may rely on the user's being sane.
const umask = process.umask(0)
t.teardown(() => { process.umask(umask) })
const root = mkdtempSync(join(tmpdir(), 'blast-data-dir-'))
t.teardown(() => rmSync(root, { recursive: true, force: true }))

t.test('a fresh data dir, and everything in it, is private while the runtime runs and after', async (t) => {
  const dataDir = join(root, 'fresh', '.blast')
  const runtime = await start(dataDir)
  await resolveToken({ dataDir, log })
  await runtime.createTransients([{ name: 'perm1', ra_deg: 1, dec_deg: 1 }]) // new rows, maybe new files
  t.ok(count(join(dataDir, 'pgdata')) > 100, 'pgdata holds the cluster')
  t.same(notPrivate(dataDir), [], 'running: every dir 0700, every file 0600')
  await runtime.stop()
  t.same(notPrivate(dataDir), [], 'stopped: still')
})

t.test('a data dir left open to everyone is made private when it is opened', async (t) => {
  const dataDir = join(root, 'old', '.blast')
  await (await start(dataDir)).stop()
  // what an older version (or a careless copy) leaves: world-writable files, world-readable dirs
  const stack = [dataDir]
  while (stack.length) {
    const path = stack.pop()!
    if (lstatSync(path).isDirectory()) {
      chmodSync(path, 0o777)
      for (const name of readdirSync(path)) stack.push(join(path, name))
    } else {
      chmodSync(path, 0o666)
    }
  }
  mkdirSync(join(dataDir, 'pgdata', 'stray'), { mode: 0o755 })
  writeFileSync(join(dataDir, 'pgdata', 'stray', 'note'), 'x', { mode: 0o644 })
  t.ok(notPrivate(dataDir).length > 900, 'the old dir is open to everyone')

  const runtime = await start(dataDir)
  t.same(notPrivate(dataDir), [], 'opened: every dir 0700, every file 0600')
  t.equal((await runtime.listTransients({})).items.length, 0, 'and the database still works')
  await runtime.stop()
  t.same(notPrivate(dataDir), [], 'stopped: still')
})
