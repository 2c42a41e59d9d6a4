#!/usr/bin/env node
// The `blast-tasks` command. Installed from the registry, the package holds the JavaScript that
// `npm pack` compiled into dist/ (Node strips no types under node_modules); in a checkout of the
// repository, which ships no dist/, it runs the TypeScript in runtime/ directly.
import { existsSync } from 'node:fs'

const source = new URL('../runtime/cli.ts', import.meta.url)
const entry = existsSync(source) ? source : new URL('../dist/cli.js', import.meta.url)
const { runCli } = await import(entry.href)
await runCli(process.argv.slice(2))
