#!/usr/bin/env node
// Fails when oclif.manifest.json, the command schemas (schemas/*.json), the README's generated sections or the API
// endpoint list are stale: regenerates them and compares.
import {execFileSync} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'

const schemaFiles = () => readdirSync(new URL('../schemas/', import.meta.url)).map((f) => `schemas/${f}`)
const read = (f) => {
  try {
    return readFileSync(new URL(`../${f}`, import.meta.url), 'utf8')
  } catch {
    return ''
  }
}
const snapshot = () =>
  Object.fromEntries(['oclif.manifest.json', ...schemaFiles(), 'README.md', 'src/lib/platform/endpoints.generated.ts'].map((f) => [f, read(f)]))
const before = snapshot()
// The endpoints first: the command help (and so the manifest and README) is built from them.
execFileSync(process.execPath, [new URL('./gen-api-endpoints.js', import.meta.url).pathname], {stdio: 'inherit'})
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx'
execFileSync(npx, ['oclif', 'manifest'], {stdio: ['ignore', 'ignore', 'inherit']})
execFileSync(process.execPath, [new URL('./sort-manifest.js', import.meta.url).pathname], {stdio: 'inherit'})
// After the manifest: a command added or removed there gets, or loses, its schema.
execFileSync(process.execPath, [new URL('./generate-schemas.js', import.meta.url).pathname], {stdio: ['ignore', 'ignore', 'inherit']})
execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', 'readme'], {stdio: ['ignore', 'ignore', 'inherit']})
const after = snapshot()
const stale = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((f) => before[f] !== after[f])
if (stale.length > 0) {
  console.error(`Stale generated files: ${stale.join(', ')}. They have been regenerated: review and commit them (npm run build does the same).`)
  process.exit(1)
}
console.log(`Generated files are up to date: ${Object.keys(after).length} files (oclif.manifest.json, schemas/*.json, README.md)`)
