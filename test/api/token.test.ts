import { chmod, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { resolveToken } from '../../runtime/api/token.ts'

function recorder() {
  const warnings: string[] = []
  return { warnings, log: { warn: (msg: string) => { warnings.push(msg) } } }
}

t.test('generates a token at first start, keeps it 0600, reuses it later', async (t) => {
  const dataDir = join(t.testdir(), 'nested', '.blast')
  const { log, warnings } = recorder()
  const first = await resolveToken({ dataDir, log })
  t.equal(first.generated, true)
  t.equal(first.file, join(dataDir, 'api-token'))
  t.match(first.token, /^[A-Za-z0-9_-]{43}$/, '32 random bytes in base64url')
  t.equal((await stat(first.file!)).mode & 0o777, 0o600)
  t.equal((await readFile(first.file!, 'utf8')).trim(), first.token)

  const second = await resolveToken({ dataDir, log })
  t.same(second, { token: first.token, file: first.file, generated: false })
  t.same(warnings, [])
})

t.test('a given token wins and touches no file', async (t) => {
  const dataDir = t.testdir()
  const { log, warnings } = recorder()
  const token = 'a-long-operator-chosen-token'
  t.same(await resolveToken({ token, dataDir, log }), { token, file: null, generated: false })
  await t.rejects(stat(join(dataDir, 'api-token')), { code: 'ENOENT' })
  t.same(warnings, [])

  await resolveToken({ token: 'short', dataDir, log })
  t.match(warnings, [/shorter than 16 characters/])
  await t.rejects(resolveToken({ token: 'has space', dataDir, log }), /must not contain spaces/)
})

t.test('an empty given token counts as none', async (t) => {
  const dataDir = t.testdir()
  const result = await resolveToken({ token: '', dataDir, log: recorder().log })
  t.equal(result.generated, true)
})

t.test('a token file readable by others is narrowed to 0600 with a warning', async (t) => {
  const dataDir = t.testdir({ 'api-token': 'kept-from-before-0123456789\n' })
  await chmod(join(dataDir, 'api-token'), 0o644)
  const { log, warnings } = recorder()
  const result = await resolveToken({ dataDir, log })
  t.same(result, { token: 'kept-from-before-0123456789', file: join(dataDir, 'api-token'), generated: false })
  t.equal((await stat(join(dataDir, 'api-token'))).mode & 0o777, 0o600)
  t.match(warnings, [/was readable by others \(mode 644\); set to 600/])
})

t.test('an empty token file is an error that says what to do', async (t) => {
  const dataDir = t.testdir()
  await writeFile(join(dataDir, 'api-token'), '\n', { mode: 0o600 })
  await t.rejects(resolveToken({ dataDir, log: recorder().log }), /is empty; delete it to have a new token generated/)
})
