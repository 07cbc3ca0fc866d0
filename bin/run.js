#!/usr/bin/env node
// The production entry point: runs the compiled commands from dist/ with the manifest.
import module from 'node:module'
import {readFileSync} from 'node:fs'

// Node 22+ caches compiled code between runs; on Node 20 this is absent and skipped.
module.enableCompileCache?.()

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
