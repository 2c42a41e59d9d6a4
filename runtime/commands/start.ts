// `blast-tasks start`: the runtime with its control API — what `npm start` runs. Settings come
// from the environment (runtime/settings.ts). SIGINT/SIGTERM stop cleanly: runs in flight get the
// grace period, then are released; a second signal releases them at once and exits.
import { parseArgs } from 'node:util'
import { EXIT, usageError, type Io } from './io.ts'
import { buildApi, resolveToken } from '../api/index.ts'
import { buildProbes } from '../api/probes.ts'
import { BlastPortUnavailable, BlastSettingInvalid } from '../errors.ts'
import { createLogger } from '../logger.ts'
import { Runtime } from '../runtime.ts'
import { loadSettings } from '../settings.ts'
import { ManifestWatcher } from '../watcher.ts'

export const usage = `usage: blast-tasks start [--no-api] [--no-watch] [--take-over]

Runs every task of the manifest on every eligible transient and serves the control API
(Swagger UI at /docs). Without DATABASE_URL the embedded database in BLAST_DATA_DIR is used.
Start more processes with --no-api on the same DATABASE_URL to scale out.

options:
  --no-api     run tasks only; serve no HTTP API
  --no-watch   do not apply edits of the manifest and plugins while running
  --take-over  start even though live processes on the database run another manifest: this one
               becomes the cluster's, and they apply it or stop (BLAST_TAKE_OVER)
  -h, --help   this help

environment: DATABASE_URL, BLAST_DATA_DIR (./.blast), BLAST_MANIFEST (./blast.tasks.yaml),
PORT (3000), HOST (127.0.0.1), BLAST_API_TOKEN, BLAST_API_READ_AUTH, BLAST_METRICS_PORT (--no-api), LOG_LEVEL (info), LOG_FORMAT (pretty on a terminal, else json),
BLAST_SCHEMA, BLAST_BOSS_SCHEMA, BLAST_LEASE_SECONDS (15), BLAST_SHUTDOWN_GRACE_SECONDS (10),
BLAST_BATCH_SIZE (100), BLAST_POOL_SIZE (available parallelism), BLAST_WATCH (true), BLAST_HISTORY_DAYS (30),
BLAST_HISTORY_PER_TASK (20), BLAST_BOSS_ARCHIVE_DAYS (1), BLAST_TAKE_OVER (false)

exit codes: 0 stopped, 1 failed (a manifest with errors), 69 database, port or data dir unavailable,
70 the runtime's own fault, 78 a setting not accepted or another manifest live on the database,
130 a second signal (docs/operations.md)`

/** start-up failures that are one line and their own exit code; anything else is a stack (a bug) */
const STARTUP_EXIT: Readonly<Record<string, number>> = {
  BLAST_SETTING_INVALID: EXIT.config,
  BLAST_DATABASE_UNAVAILABLE: EXIT.unavailable,
  BLAST_DATA_DIR_LOCKED: EXIT.unavailable,
  BLAST_PORT_UNAVAILABLE: EXIT.unavailable,
  BLAST_MANIFEST_CONFLICT: EXIT.config
}

function startupFailed (err: unknown, io: Io): number {
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code !== 'string' || !Object.hasOwn(STARTUP_EXIT, code)) throw err
  io.err(`blast-tasks: ${code} ${(err as Error).message}`)
  // what a failed start leaves behind (a pool's idle socket) must not keep the process alive
  setTimeout(() => process.exit(STARTUP_EXIT[code]), 100).unref()
  return STARTUP_EXIT[code]!
}

function listenError (err: unknown, port: number, host: string): unknown {
  switch ((err as { code?: unknown } | null)?.code) {
    case 'EADDRINUSE':
      return new BlastPortUnavailable(`PORT=${port} on HOST=${host} is in use by another process; stop it, choose another PORT, or start with --no-api`, { cause: err })
    case 'EACCES':
      return new BlastPortUnavailable(`PORT=${port} on HOST=${host} needs privileges this process lacks; choose a PORT from 1024 to 65535`, { cause: err })
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new BlastSettingInvalid(`HOST=${JSON.stringify(host)} is not an address of this machine; allowed: a local address or name, 127.0.0.1 (default), 0.0.0.0 for every interface`, { cause: err })
    default:
      return err
  }
}

/** after the grace period, a stop has this long to finish before the process ends regardless */
const STOP_MARGIN_MS = 5000

export async function run (args: string[], io: Io): Promise<number> {
  let values
  try {
    ({ values } = parseArgs({ args, allowNegative: true, options: { api: { type: 'boolean', default: true }, watch: { type: 'boolean' }, 'take-over': { type: 'boolean' } } }))
  } catch (error) {
    io.err(usageError('start', usage, error))
    return EXIT.usage
  }
  let settings
  try {
    settings = loadSettings()
  } catch (err) {
    return startupFailed(err, io)
  }
  const log = createLogger(settings.logLevel, { pretty: (settings.logFormat ?? (process.stdout.isTTY ? 'pretty' : 'json')) === 'pretty' })
  // Plugins run in worker threads: a fault that reaches this thread is the runtime's own. A
  // half-alive runtime keeps claims it cannot finish; end it loudly so that a supervisor restarts it.
  const fatal = (kind: string) => (err: unknown) => {
    log.fatal({ err }, `${kind}: the runtime's own fault; exiting`)
    process.exit(EXIT.fatal)
  }
  process.on('uncaughtException', fatal('uncaught exception'))
  process.on('unhandledRejection', fatal('unhandled rejection'))
  const started = performance.now()
  let runtime: Runtime
  let superseded = false
  try {
    runtime = await Runtime.start({
      manifest: settings.manifest,
      databaseUrl: settings.databaseUrl,
      dataDir: settings.dataDir,
      schema: settings.schema,
      bossSchema: settings.bossSchema,
      logger: log,
      leaseSeconds: settings.leaseSeconds,
      shutdownGraceSeconds: settings.shutdownGraceSeconds,
      batchSize: settings.batchSize,
      poolSize: settings.poolSize,
      retention: { historyDays: settings.historyDays, historyPerTask: settings.historyPerTask, bossArchiveDays: settings.bossArchiveDays },
      takeOver: values['take-over'] ?? settings.takeOver,
      // another process made its manifest the cluster's: stop as on SIGTERM, then exit 78
      onSuperseded: () => { superseded = true; process.kill(process.pid, 'SIGTERM') }
    })
  } catch (err) {
    return startupFailed(err, io)
  }
  let app: Awaited<ReturnType<typeof buildApi>> | null = null
  if (values.api) {
    try {
      const token = await resolveToken({ token: settings.apiToken ?? undefined, dataDir: settings.dataDir, log })
      app = await buildApi(runtime, { token: token.token, readAuth: settings.apiReadAuth, logger: log })
      const address = await app.listen({ port: settings.port, host: settings.host })
      log.info({ address, docs: `${address}/docs`, tokenFile: token.file }, 'control API listening')
    } catch (err) {
      // no API, no process: a supervisor must see it end rather than run tasks it cannot be asked about
      await app?.close().catch(() => {})
      await runtime.stop().catch(() => {})
      return startupFailed(listenError(err, settings.port, settings.host), io)
    }
  } else if (settings.metricsPort !== null) {
    try {
      app = await buildProbes(runtime, { logger: log })
      const address = await app.listen({ port: settings.metricsPort, host: settings.host })
      log.info({ address }, 'probes and metrics listening (--no-api)')
    } catch (err) {
      await app?.close().catch(() => {})
      await runtime.stop().catch(() => {})
      return startupFailed(listenError(err, settings.metricsPort, settings.host), io)
    }
  }
  const watcher = (values.watch ?? settings.watch) ? new ManifestWatcher(runtime, log) : null
  watcher?.start()
  log.info({
    database: runtime.db.kind === 'embedded' ? settings.dataDir : 'postgres',
    manifest: settings.manifest,
    tasks: runtime.plan.tasks.size,
    worker: runtime.workerId,
    startupMs: Math.round(performance.now() - started)
  }, 'blast-tasks running')

  return new Promise<number>(resolve => {
    let stopping = false
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn({ signal }, 'second signal: releasing runs in flight and exiting now')
        runtime.releaseClaims(2000).finally(() => process.exit(130))
        return
      }
      stopping = true
      log.info({ signal, graceSeconds: settings.shutdownGraceSeconds }, 'stopping: runs in flight may finish (send the signal again to exit at once)')
      watcher?.stop()
      // a stop ends within the grace period plus a margin, also while the database is away
      setTimeout(() => {
        log.error({ marginMs: STOP_MARGIN_MS }, 'stop did not finish within the grace period; exiting; the reaper re-runs unrecorded runs')
        process.exit(EXIT.failed)
      }, settings.shutdownGraceSeconds * 1000 + STOP_MARGIN_MS).unref()
      const done = (code: number) => {
        resolve(code)
        // a run abandoned at shutdown (a plugin's timer or socket) must not keep the process alive
        setTimeout(() => process.exit(code), 100).unref()
      }
      Promise.resolve(app?.close())
        .then(() => runtime.stop())
        .then(() => { log.info('stopped'); done(superseded ? EXIT.config : EXIT.ok) }, err => { log.error({ err }, 'stop failed'); done(EXIT.failed) })
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}
