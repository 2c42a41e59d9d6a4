// A new user, following only README.md and docs/writing-tasks.md. Each document is followed in its
// own fresh copy of the example project (examples/pipeline/: manifest, plugins, sample inbox — never
// the checkout's own blast.tasks.yaml or plugins/, which the reader edits), started there as
// `npm start` would (a child process, watching its files). The commands are the documents' own
// fenced blocks; the outputs the guide shows are compared as printed, counts and names included.
// Only what cannot match is rewritten: `localhost:3000` to the port the runtime got, a run's
// duration, and on PostgreSQL where the database is.
import { spawn, type ChildProcess } from 'node:child_process'
import { appendFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { DATABASE_URL, dropSchemas, freshSchemas, onPostgres, waitFor } from '../helpers/runtime.ts'
import { CLI, REPO, bash, blocks, freePort, npxShim, readDoc, type Block, type Ran, which } from './snippets.ts'

const EXAMPLE = join(REPO, 'examples', 'pipeline')
const SAMPLES = 12

const missing = []
for (const tool of ['curl', 'jq']) if (!await which(tool)) missing.push(tool)
if (missing.length) t.plan(0, `the docs' commands need ${missing.join(' and ')}, which this machine lacks`)
else {
  t.test('the README tour: add a task and a plugin, see it processed through the API', readmeTour)
  t.test('the guide: every command, and the worked example from new to processed', guide)
}

interface Project {
  dir: string
  port: number
  shell (code: string): Promise<Ran>
  get (path: string): Promise<any>
  registerOf (transient: string, task: string): Promise<any>
  run (t: Test, block: Block, what: string): Promise<Ran>
}

/** a fresh copy of the example, its runtime started and the sample inbox settled */
async function project (t: Test): Promise<Project> {
  const dir = await mkdtemp(join(tmpdir(), 'blast-new-user-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  for (const name of ['blast.tasks.yaml', 'plugins', 'inbox']) await cp(join(EXAMPLE, name), join(dir, name), { recursive: true })

  const port = await freePort()
  const api = `http://127.0.0.1:${port}`
  const schemas = freshSchemas()
  const env: NodeJS.ProcessEnv = {
    PATH: `${await npxShim()}:${process.env.PATH}`,
    HOME: process.env.HOME,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    BLAST_SHUTDOWN_GRACE_SECONDS: '2',
    ...(onPostgres ? { DATABASE_URL: DATABASE_URL!, BLAST_SCHEMA: schemas.schema, BLAST_BOSS_SCHEMA: schemas.bossSchema } : {})
  }

  // `npm start` in the copied project: `node runtime/cli.ts start`, data in ./.blast
  const started = performance.now()
  const runtime: ChildProcess = spawn(process.execPath, [CLI, 'start'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  runtime.stdout!.on('data', chunk => { log += chunk })
  runtime.stderr!.on('data', chunk => { log += chunk })
  const exited = new Promise<number | null>(resolve => runtime.on('exit', code => resolve(code)))
  t.teardown(async () => {
    runtime.kill('SIGTERM')
    await exited
    await dropSchemas(schemas.schema, schemas.bossSchema)
  })

  async function get (path: string): Promise<any> {
    const response = await fetch(`${api}${path}`).catch(() => null)
    return response?.ok ? response.json() : null
  }
  // the inbox is ingested at start; wait until the example pipeline has settled on it
  await waitFor(async () => {
    const page = await get('/api/v1/transients?limit=1000')
    return page?.items.length === SAMPLES && page.items.every((x: { processing_status: string }) => x.processing_status !== 'processing')
  }, { timeoutMs: 90000, what: `the example pipeline to settle on inbox/ (log: ${log.slice(-2000)})` })
  t.comment(`runtime up and the inbox processed in ${Math.round(performance.now() - started)} ms`)

  // what the reader's terminal holds after the README's `TOKEN=$(cat .blast/api-token)`
  const token = (await readFile(join(dir, '.blast', 'api-token'), 'utf8')).trim()
  const shell = (code: string) => bash(code.replaceAll('localhost:3000', `127.0.0.1:${port}`), { cwd: dir, env: { ...env, TOKEN: token } })
  return {
    dir,
    port,
    shell,
    get,
    async registerOf (transient, task) {
      const detail = await get(`/api/v1/transients/${transient}`)
      return detail?.tasks.find((r: { task: string }) => r.task === task) ?? null
    },
    async run (t, block, what) {
      const ran = await shell(block.code)
      t.equal(ran.code, 0, `${what} (line ${block.line}) exits 0`, { block: block.code, stdout: ran.out, stderr: ran.err })
      return ran
    }
  }
}

async function readmeTour (t: Test): Promise<void> {
  const p = await project(t)
  const readme = await readDoc('README.md')
  const all = blocks(readme)
  const tour = all.filter(b => b.lang === 'sh' && !/\bnpm (install|start|test)\b/.test(b.code))
  t.ok(tour.length >= 2, 'the tour has its commands')
  await p.run(t, tour[0], 'README: the first look')

  const yaml = all.find(b => b.lang === 'yaml')!
  const ts = all.find(b => b.lang === 'ts')!
  t.match(readme, /plugins\/redshift-class\.ts/, 'the README names the plugin file')
  await appendFile(join(p.dir, 'blast.tasks.yaml'), yaml.code)
  await writeFile(join(p.dir, 'plugins', 'redshift-class.ts'), ts.code)
  const validate = await p.shell('npx blast-tasks validate')
  t.equal(validate.code, 0, validate.out + validate.err)
  // the example's 7 tasks (one of them the system task) and the README's
  t.match(validate.out, /^blast\.tasks\.yaml: 0 errors, 0 warnings; 8 tasks, 9 statuses$/m)

  await waitFor(async () => (await p.get('/api/v1/tasks'))?.items.some((x: { name: string }) => x.name === 'Redshift class'),
    { what: 'the runtime to reload the manifest' })
  for (const block of tour.slice(1)) await p.run(t, block, 'README: call the API')
  const done = await waitFor(async () => {
    const register = await p.registerOf('2024xyz', 'Redshift class')
    return register?.status === 'processed' && register
  }, { what: 'Redshift class processed on 2024xyz' })
  t.same(done.output, { nearby: true }, 'the README plugin ran on the transient the README adds')
  const everyone = await waitFor(async () => {
    const info = await p.get('/api/v1/tasks/Redshift%20class')
    return info?.counts.processed + (info?.counts['not processed'] ?? 0) === SAMPLES + 1 && info.counts.processed >= 1 &&
      !info.counts.processing && info
  }, { what: 'Redshift class settled on every transient' })
  // it needs Luminosity distance: the 9 samples that have one, and 2024xyz
  t.same(everyone.counts, { processed: 10, 'not processed': 3 }, 'and on the transients already there that have a distance')
}

async function guide (t: Test): Promise<void> {
  const p = await project(t)
  const guide = blocks(await readDoc('docs/writing-tasks.md'))
  const sh = guide.filter(b => b.lang === 'sh')
  const after = (block: Block, lang: string) => guide[guide.indexOf(block) + 1]?.lang === lang ? guide[guide.indexOf(block) + 1] : null
  // what cannot be the same from run to run; every other character, digits included, must match
  const normalize = (text: string) => text.trim().split('\n').map(line => line
    .replace(/ in \d+(\.\d+)? ms$/, ' in N ms')
    .replaceAll(`127.0.0.1:${p.port}`, '127.0.0.1:3000')
    .replace(/ against PostgreSQL \(schema \w+\) /, ' against the running runtime at http://127.0.0.1:3000 '))
  let planned: Block | null = null
  for (const block of sh) {
    // the worked example's plugin is written where the guide shows it, before the commands that follow
    for (const file of guide.filter(b => b.title && b.line < block.line)) await writeFile(join(p.dir, file.title!), file.code)
    if (block.code.includes('select(.task == "Distance class")')) {
      await waitFor(async () => (await p.registerOf('2011fe', 'Distance class'))?.status === 'processed',
        { what: 'the runtime to apply next.tasks.yaml and run Distance class' })
    }
    const ran = await p.run(t, block, block.code.split('\n')[0]!)
    const shown = after(block, 'yaml') ?? after(block, 'text') ?? after(block, 'json')
    if (block.code.includes('blast-tasks new')) {
      t.ok((await readFile(join(p.dir, 'next.tasks.yaml'), 'utf8')).endsWith(shown!.code), 'new appended the entry the guide shows')
    } else if (shown?.lang === 'text') {
      t.same(normalize(ran.out), normalize(shown.code), `the output the guide shows (line ${shown.line})`)
      if (block.code.includes('blast-tasks plan')) {
        planned = shown
        // the runtime holds the embedded database: plan asked it through POST /api/v1/manifest/plan
        if (!onPostgres) t.match(ran.out, /^next\.tasks\.yaml against the running runtime at http:\/\/127\.0\.0\.1:\d+ /)
      }
    } else if (shown?.lang === 'json') {
      t.same(JSON.parse(ran.out), JSON.parse(shown.code), `the output the guide shows (line ${shown.line})`)
    }
  }
  t.ok(planned, 'the worked example was previewed with blast-tasks plan')
  if (!onPostgres) {
    const elsewhere = await bash('npx blast-tasks plan', { cwd: p.dir, env: { PATH: `${await npxShim()}:${process.env.PATH}`, HOME: process.env.HOME, PORT: '1' } })
    t.equal(elsewhere.code, 1, 'the API is not where PORT says')
    t.match(elsewhere.err, /^blast-tasks plan: the embedded database in .* is in use by process \d+ \(since [^)]+\); stop that process, .*\n\(and its API at http:\/\/127\.0\.0\.1:1 did not answer: .*; set HOST and PORT as the runtime has them\)/,
      'says who holds the database and where it looked for the API')
  }
  // the plan's count of eligible transients is the number the task then runs on
  const eligible = Number(/Distance class {2}(\d+) transients/.exec(planned?.code ?? '')?.[1])
  t.equal(eligible, 9, 'the guide says nine become eligible')
  const task = await waitFor(async () => {
    const info = await p.get('/api/v1/tasks/Distance%20class')
    return info?.counts.processed === eligible && info
  }, { what: `Distance class processed on the ${eligible} transients with a distance` })
  t.same(task.counts, { processed: eligible, 'not processed': SAMPLES - eligible }, 'applied and run on every transient with a distance, the others left waiting')
  t.match(task, { enabled: { effective: true } })
  t.equal((await p.get('/api/v1/tasks/Host%20offset')).enabled.override, null, 'the guide left no override behind')
}
