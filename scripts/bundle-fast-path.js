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

/**
 * `undici` in the bundled code is scripts/undici-fast-path.js: the package's modules the fast path uses, without the
 * rest that its index.js loads. Every name a bundled module imports from `undici` must be there (checked below).
 */
const LEAN_UNDICI = fileURLToPath(new URL('undici-fast-path.js', import.meta.url))
/** src/lib/http/web-fetch.ts (Node's fetch and Headers) is scripts/web-fetch-bundle.js (the lean undici's) in the bundle. */
const WEB_FETCH_BUNDLE = fileURLToPath(new URL('web-fetch-bundle.js', import.meta.url))
const leanUndici = {
  name: 'lean-undici',
  setup(b) {
    b.onResolve({filter: /^undici$/}, (args) => (args.importer.startsWith(DIST) ? {path: LEAN_UNDICI} : undefined))
    b.onResolve({filter: /^\.\/web-fetch\.js$/}, (args) => (args.importer.startsWith(`${DIST}lib/http/`) ? {path: WEB_FETCH_BUNDLE} : undefined))
  },
}

/**
 * undici's HTTP client loads its HTTP/2 half (and with it node:http2, ~6 ms) when it loads, though ppctl never
 * negotiates HTTP/2: in the bundle it is loaded on the first HTTP/2 connection instead. The build fails if undici's
 * source no longer has the line this replaces (an upgrade then needs a look here).
 */
const H2_REQUIRE = "const connectH2 = require('./client-h2.js')"
const lazyHttp2 = {
  name: 'lazy-http2',
  setup(b) {
    b.onLoad({filter: /[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/}, async (args) => {
      const {readFile} = await import('node:fs/promises')
      const source = await readFile(args.path, 'utf8')
      if (!source.includes(H2_REQUIRE)) throw new Error(`${args.path} no longer has "${H2_REQUIRE}": see lazyHttp2 in scripts/bundle-fast-path.js.`)
      const lazy = "let h2Module\nconst connectH2 = (...args) => (h2Module ??= require('./client-h2.js'))(...args)"
      return {contents: source.replace(H2_REQUIRE, lazy), loader: 'js'}
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
  plugins: [keepImportMetaUrl, leanUndici, lazyHttp2],
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
  minifyWhitespace: true,
})
// What bin/run.js needs before the bundle (src/fast-path-loader.ts), as a CommonJS file it can require() without
// Node's ES module loader (~5 ms of every warm command).
await build({
  entryPoints: [`${DIST}fast-path-loader.js`],
  outfile: `${DIST}fast-path-loader.cjs`,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
  minifyWhitespace: true,
})

// The fast path must not load oclif: a bundle that reaches it is a build error, not a slow path.
const oclif = Object.keys(result.metafile.inputs).filter((input) => input.includes('@oclif/core'))
const reachesOclif = Object.values(result.metafile.outputs).some((o) => o.imports.some((i) => i.path.startsWith('@oclif/core')))
if (oclif.length > 0 || reachesOclif) {
  console.error('The fast-path bundle would load @oclif/core: a module it imports imports oclif.')
  process.exit(1)
}

// Each name the bundled modules import from undici is one the lean undici exports.
const lean = await import(LEAN_UNDICI)
const {readFileSync} = await import('node:fs')
let undiciImports = 0
for (const input of Object.keys(result.metafile.inputs).filter((i) => i.startsWith('dist/'))) {
  for (const [, names] of readFileSync(`${ROOT}${input}`, 'utf8').matchAll(/^import \{([^}]*)\} from 'undici'/gm)) {
    undiciImports++
    for (const name of names.split(',').map((n) => n.trim().split(/\s+as\s+/)[0])) {
      if (name && !name.startsWith('type ') && !(name in lean)) {
        console.error(`${input} imports ${name} from undici, which scripts/undici-fast-path.js does not export: add it there.`)
        process.exit(1)
      }
    }
  }
}
if (Object.keys(result.metafile.inputs).some((input) => input.endsWith('dist/lib/http/web-fetch.js'))) {
  console.error("The bundle has dist/lib/http/web-fetch.js (Node's fetch) instead of scripts/web-fetch-bundle.js: see leanUndici.")
  process.exit(1)
}
if (undiciImports === 0) {
  console.error('No bundled module imports undici any more (or this check no longer sees how): update scripts/bundle-fast-path.js.')
  process.exit(1)
}

// For bin/run.js (dist/fast-path.json): the words of the commands the fast path answers, to send every other
// command to oclif without compiling the bundle (the list comes from FAST_COMMANDS itself, never written by hand),
// and the bundle's content hash, which names its code caches: a cache made for other code is never offered to V8,
// which itself checks only the source's length.
const {FAST_COMMANDS} = await import(`${DIST}fast-path.js`)
const {createHash} = await import('node:crypto')
const {rmSync, readdirSync} = await import('node:fs')
const bundleHash = createHash('sha256')
  .update(readFileSync(`${DIST}fast-path.bundle.cjs`))
  .digest('hex')
  .slice(0, 16)
writeFileSync(`${DIST}fast-path.json`, JSON.stringify({bundle: bundleHash, commands: FAST_COMMANDS.map((c) => c.id.split(':'))}) + '\n')

// The bundle's own code cache (dist/fast-path.<hash>.v8), made by running its top level in a fresh Node as
// bin/run.js does: a command's first run, and every run in CI (which writes no cache of its own), compile only what
// the top level did not. Made with this Node; another Node's V8 refuses it and compiles the bundle as without it.
for (const old of readdirSync(DIST)) if (/^fast-path\.[0-9a-f]{16}\.v8$/.test(old)) rmSync(`${DIST}${old}`)
const {execFileSync} = await import('node:child_process')
const makeCache = `
  const {readFileSync, writeFileSync} = require('node:fs')
  const file = ${JSON.stringify(`${DIST}fast-path.bundle.cjs`)}
  const {script} = require(${JSON.stringify(`${DIST}fast-path-loader.cjs`)}).runBundle(file, readFileSync(file, 'utf8'))
  writeFileSync(${JSON.stringify(`${DIST}fast-path.${bundleHash}.v8`)}, script.createCachedData())
`
execFileSync(process.execPath, ['-e', makeCache], {stdio: 'inherit', env: {...process.env, NODE_OPTIONS: ''}})
