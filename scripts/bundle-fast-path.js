#!/usr/bin/env node
// Bundles the fast path (dist/fast-path.js and everything it loads from dist/ and node_modules) into one CommonJS
// file, dist/fast-path.bundle.cjs, that bin/run.js compiles with a V8 code cache (vm.Script cachedData): a warm
// command then reads one file and compiles nothing it compiled before, instead of resolving and compiling ~200
// modules. Run by `npm run build` after tsc; the bundle is generated, never committed (dist/ is not in git).
//
// What stays outside: packages loaded through createRequire() at run time (cli-table3, csv-stringify, yaml, the
// keyring's native module), which esbuild cannot see; @oclif/core, which the fast path must never load; and the
// big packages only a certificate or a prompt needs (node-forge, @inquirer/prompts): a warm command would read and
// keep them in its code cache for nothing. Both have a CommonJS build, which the bundle requires from node_modules
// when needed: import() becomes require() (a vm.Script has no module loader of its own).
import {build} from 'esbuild'
import {writeFileSync} from 'node:fs'
import {relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const DIST = `${ROOT}dist/`

/**
 * Each module's import.meta.url stays its own file's URL (dist/lib/…/x.js), so the paths it computes from it
 * (the manifest, the sandbox daemon, createRequire) are what they are when dist/ runs unbundled.
 */
const keepImportMetaUrl = {
  name: 'keep-import-meta-url',
  setup(b) {
    b.onLoad({filter: /\.js$/}, async (args) => {
      const {readFile} = await import('node:fs/promises')
      const source = await readFile(args.path, 'utf8')
      if (!source.includes('import.meta.url') || !args.path.startsWith(DIST)) return undefined
      const rel = JSON.stringify(relative(DIST, args.path))
      return {contents: source.replaceAll('import.meta.url', `__ppctlModuleUrl(${rel})`), loader: 'js'}
    })
  },
}

const result = await build({
  entryPoints: [`${DIST}fast-path.js`],
  outfile: `${DIST}fast-path.bundle.cjs`,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  supported: {'dynamic-import': false},
  external: ['@oclif/core', '@napi-rs/keyring', 'better-sqlite3', 'node-forge', '@inquirer/prompts'],
  banner: {
    js: "const __ppctlModuleUrl = (rel) => require('node:url').pathToFileURL(require('node:path').join(__dirname, rel)).href;",
  },
  plugins: [keepImportMetaUrl],
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
})
// The fast path must not load oclif: a bundle that reaches it is a build error, not a slow path.
const oclif = Object.keys(result.metafile.inputs).filter((input) => input.includes('@oclif/core'))
const reachesOclif = Object.values(result.metafile.outputs).some((o) => o.imports.some((i) => i.path.startsWith('@oclif/core')))
if (oclif.length > 0 || reachesOclif) {
  console.error('The fast-path bundle would load @oclif/core: a module it imports imports oclif.')
  process.exit(1)
}

// The words of the commands the fast path answers, for bin/run.js to send every other command to oclif without
// compiling the bundle (the list comes from FAST_COMMANDS itself, never written by hand).
const {FAST_COMMANDS} = await import(`${DIST}fast-path.js`)
writeFileSync(`${DIST}fast-path.commands.json`, JSON.stringify(FAST_COMMANDS.map((c) => c.id.split(':'))) + '\n')
