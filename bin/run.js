#!/usr/bin/env node
// The production entry point: runs the compiled commands from dist/ with the manifest.
import module from 'node:module'
import {readFileSync} from 'node:fs'

// Node 22+ caches compiled code between runs (in TMPDIR); on Node 20 this is absent and skipped. Not in a pipeline:
// CI mode (the certificate variables, as ciCredentialsFromEnv in src/lib/auth/ci-env.ts reads them) and CI runners
// leave nothing on disk, not even a cache.
const env = process.env
const ciMode = Boolean(env.PPCTL_CLIENT_ID && env.PPCTL_TENANT_ID && (env.PPCTL_CERTIFICATE_PATH || env.PPCTL_CERTIFICATE))
if (!ciMode && !env.CI) module.enableCompileCache?.()

const argv = process.argv.slice(2)
const pjson = () => JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  // The same line oclif prints, without loading oclif: the most common health check of a CLI.
  process.stdout.write(`ppctl/${pjson().version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  // Hot commands (a warm `route show`) skip oclif's start-up; anything not recognized exactly goes to oclif.
  // PPCTL_NO_FAST_PATH=1 sends everything through oclif (to compare, or to rule the fast path out).
  const {tryFastPath} = process.env.PPCTL_NO_FAST_PATH ? {tryFastPath: async () => false} : await import('../dist/fast-path.js')
  // It reads oclif's settings from package.json too: hooks or plugins there send everything to oclif.
  if (!(await tryFastPath(argv, pjson()))) {
    // oclif's execute alone: the package index loads every module of @oclif/core (~12 ms more at start-up).
    const {execute} = await import('@oclif/core/execute')
    await execute({dir: import.meta.url})
  }
}
