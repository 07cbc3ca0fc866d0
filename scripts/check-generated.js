#!/usr/bin/env node
// Fails when oclif.manifest.json, the README's generated sections or the API endpoint list are stale: regenerates them and compares.
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'

const files = ['oclif.manifest.json', 'README.md', 'src/lib/platform/endpoints.generated.ts']
const read = (f) => {
  try {
    return readFileSync(new URL(`../${f}`, import.meta.url), 'utf8')
  } catch {
    return ''
  }
}
const before = Object.fromEntries(files.map((f) => [f, read(f)]))
// The endpoints first: the command help (and so the manifest and README) is built from them.
execFileSync(process.execPath, [new URL('./gen-api-endpoints.js', import.meta.url).pathname], {stdio: 'inherit'})
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx'
execFileSync(npx, ['oclif', 'manifest'], {stdio: ['ignore', 'ignore', 'inherit']})
execFileSync(process.execPath, [new URL('./sort-manifest.js', import.meta.url).pathname], {stdio: 'inherit'})
execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', 'readme'], {stdio: ['ignore', 'ignore', 'inherit']})
const stale = files.filter((f) => read(f) !== before[f])
if (stale.length > 0) {
  console.error(`Stale generated files: ${stale.join(', ')}. They have been regenerated: review and commit them (npm run build does the same).`)
  process.exit(1)
}
console.log(`Generated files are up to date: ${files.join(', ')}`)
