#!/usr/bin/env node
// Records oclif's own root help (`ppctl --help` into a pipe, in a clean environment) in dist/root-help.json, for
// bin/run.js to print without loading oclif when it would print exactly this: stdout not a terminal, and nothing in
// the environment that changes oclif's width or colours. Run by `npm run build` after the manifest; generated, never
// committed (dist/ is not in git). bin/run.js checks the VERSION line (package version, platform, Node) and that the
// file is newer than the manifest, so an old recording is never printed.
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {readFileSync, writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const help = execFileSync(process.execPath, [`${ROOT}bin/run.js`, '--help'], {
  cwd: ROOT,
  env: {PATH: process.env.PATH, HOME: process.env.HOME, PPCTL_NO_FAST_PATH: '1'},
  encoding: 'utf8',
})
const manifest = createHash('sha256')
  .update(readFileSync(`${ROOT}oclif.manifest.json`))
  .digest('hex')
writeFileSync(`${ROOT}dist/root-help.json`, JSON.stringify({manifest, help}))
