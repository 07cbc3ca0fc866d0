#!/usr/bin/env node
// The production entry point: runs the compiled commands from dist/ with the manifest.
//
// CommonJS (bin/package.json), unlike the rest of the package: an ES module as the entry point starts Node's ES
// module loader before the first line runs, ~10 ms of every command (`--version` included) on a 2-core machine. What
// it needs from dist/ before the fast path's bundle is CommonJS too (dist/fast-path-loader.cjs, built with the bundle),
// so a warm command never starts that loader; oclif's commands load through import() as before.
'use strict'
const nodeModule = require('node:module')
const {mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync} = require('node:fs')
const {join} = require('node:path')
const {pathToFileURL} = require('node:url')

/** The package's folder, and a file of dist/. */
const ROOT = join(__dirname, '..')
const distFile = (path) => join(ROOT, 'dist', path)

// Not in a pipeline: CI mode (the certificate variables, as ciCredentialsFromEnv in src/lib/auth/ci-env.ts reads
// them) and CI runners leave nothing on disk, not even a cache of compiled code.
const env = process.env
const ciMode = Boolean(env.PPCTL_CLIENT_ID && env.PPCTL_TENANT_ID && (env.PPCTL_CERTIFICATE_PATH || env.PPCTL_CERTIFICATE))
const mayCache = !ciMode && !env.CI
// Node 22+ caches compiled code between runs (in TMPDIR); on Node 20 this is absent and skipped.
if (mayCache) nodeModule.enableCompileCache?.()

const argv = process.argv.slice(2)
const pjson = () => JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))

/**
 * What the build says of the fast path (dist/fast-path.json, scripts/bundle-fast-path.js): the words of its commands
 * and the bundle's content hash; undefined without it (a tsc-only build).
 */
let fastPathInfo
function readFastPathInfo() {
  try {
    fastPathInfo ??= JSON.parse(readFileSync(distFile('fast-path.json'), 'utf8'))
  } catch {
    fastPathInfo = undefined
  }
  return fastPathInfo
}

/**
 * The fast path (src/fast-path.ts) from its bundle, dist/fast-path.bundle.cjs (scripts/bundle-fast-path.js), compiled
 * with a V8 code cache: the command's own, kept in ppctl's cache folder (0700) after a run with the functions that run
 * compiled, or else the one the build made (dist/fast-path.<hash>.v8, the bundle's top level), which is all a CI run
 * uses (it writes nothing). Caches are named after the bundle's content hash, so a rebuilt or upgraded bundle never
 * meets an old cache (V8 itself checks only the source's length). Without a bundle as new as dist/ (a tsc-only
 * build), dist/fast-path.js is imported.
 */
const CACHE_PREFIX = 'fast-path-'

async function loadFastPath() {
  const file = distFile('fast-path.bundle.cjs')
  let source
  let loader
  const hash = readFastPathInfo()?.bundle
  try {
    // A bundle older than dist/ (tsc ran, the bundler did not) would run old code: dist/ then runs unbundled.
    if (!/^[0-9a-f]{16}$/.test(hash) || statSync(distFile('fast-path.js')).mtimeMs > statSync(file).mtimeMs) throw new Error('stale bundle')
    source = readFileSync(file, 'utf8')
    // What runs before the bundle, built with it (src/fast-path-loader.ts).
    loader = require(distFile('fast-path-loader.cjs'))
  } catch {
    // Unbundled (a tsc-only build): dist/fast-path.js, an ES module.
    return {fastPath: await import(pathToFileURL(distFile('fast-path.js')).href)}
  }
  let cacheDir
  let cacheFile
  let cachedData
  let ownCache = false
  // One cache per command (its words, e.g. connector-list), with the functions its run compiled.
  const words = argv[0] === '__complete' ? argv.slice(0, 1) : argv.slice(0, 2)
  if (mayCache && words.every((w) => /^[a-z_]{1,20}$/.test(w))) {
    cacheDir = join(loader.resolvePaths(env).cache, 'code')
    cacheFile = join(cacheDir, `${CACHE_PREFIX}${process.version}-${hash}.${words.join('-')}.v8`)
    try {
      cachedData = readFileSync(cacheFile)
      ownCache = true
    } catch {
      // No cache of this command yet: this run starts from the build's, and writes one.
    }
  }
  try {
    cachedData ??= readFileSync(distFile(`fast-path.${hash}.v8`))
  } catch {
    // No cache from the build (it could not make one): the bundle is compiled as it runs.
  }
  const {exports, script} = loader.runBundle(file, source, cachedData)
  /** After a run the fast path handled (so that the functions it compiled are in it), unless its own cache served. */
  const saveCache = () => {
    if (!cacheFile || (ownCache && !script.cachedDataRejected)) return
    try {
      mkdirSync(cacheDir, {recursive: true, mode: 0o700})
      // The caches of another bundle or Node go; those of the other commands stay.
      const current = `${CACHE_PREFIX}${process.version}-${hash}.`
      for (const old of readdirSync(cacheDir)) if (old.startsWith(CACHE_PREFIX) && !old.startsWith(current)) rmSync(join(cacheDir, old), {force: true})
      const temp = `${cacheFile}.${process.pid}.tmp`
      writeFileSync(temp, script.createCachedData(), {mode: 0o600})
      renameSync(temp, cacheFile)
    } catch {
      // A cache that cannot be written (a read-only home) only costs the next run its compilation.
    }
  }
  return {fastPath: exports, saveCache}
}

/**
 * What oclif would print for `ppctl --help` into a pipe, recorded by the build (scripts/root-help.js), or undefined
 * whenever oclif might print anything else: a terminal (its width, colours), a variable that changes oclif's width,
 * colours or traces, a hook or plugin, a recording made with another manifest, version of ppctl or Node.
 */
async function recordedRootHelp() {
  if (process.stdout.isTTY || env.PPCTL_NO_FAST_PATH) return undefined
  // oclif's own variables (OCLIF_*, and those it scopes to the bin: PPCTL_DEBUG …), colours, traces, CI services.
  const changesHelp =
    /^(FORCE_COLOR|COLORTERM|DEBUG|NODE_DEBUG|CI|CONTINUOUS_INTEGRATION|TF_BUILD|TEAMCITY_VERSION|BUILD_NUMBER|RUN_ID|OCLIF_.*|PPCTL_(BINPATH|CACHE_DIR|DATA_DIR|DEBUG|DISABLE_THEME|NPM_REGISTRY)|.*_CI|GITHUB_.*)$/
  if (Object.keys(env).some((name) => changesHelp.test(name))) return undefined
  try {
    const {manifest, help} = JSON.parse(readFileSync(distFile('root-help.json'), 'utf8'))
    const {createHash} = require('node:crypto')
    const current = createHash('sha256')
      .update(readFileSync(join(ROOT, 'oclif.manifest.json')))
      .digest('hex')
    if (manifest !== current) return undefined
    const p = pjson()
    const hooks = Object.keys(p.oclif?.hooks ?? {}).filter((hook) => hook !== 'command_not_found')
    if (hooks.length > 0 || (p.oclif?.plugins?.length ?? 0) > 0) return undefined
    return help.includes(`\nVERSION\n  ${versionLine(p)}\n`) ? help : undefined
  } catch {
    return undefined
  }
}

/**
 * Whether argv can be one the fast path answers: a completion request, or the words of one of its commands, as the
 * build lists them (dist/fast-path.json, from src/fast-path.ts's FAST_COMMANDS; tryFastPath matches them
 * the same way). Any other command goes to oclif without compiling the bundle, which would only cost it start-up
 * time and memory (a second copy of the HTTP stack). Without the list (a tsc-only build) the fast path decides.
 */
function mayBeFast() {
  if (argv[0] === '__complete') return true
  const commands = readFastPathInfo()?.commands
  return !Array.isArray(commands) || commands.some((words) => words.every((word, i) => argv[i] === word))
}

const versionLine = (p) => `ppctl/${p.version} ${process.platform}-${process.arch} node-${process.version}`

async function main() {
  let rootHelp
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    // The same line oclif prints, without loading oclif: the most common health check of a CLI.
    process.stdout.write(`${versionLine(pjson())}\n`)
  } else if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h') && (rootHelp = await recordedRootHelp())) {
    process.stdout.write(rootHelp)
  } else {
    // Hot commands (src/cli/fast-commands.ts) skip oclif's start-up; anything not recognized exactly goes to oclif.
    // PPCTL_NO_FAST_PATH=1 sends everything through oclif (to compare, or to rule the fast path out).
    const {fastPath, saveCache} = env.PPCTL_NO_FAST_PATH || !mayBeFast() ? {fastPath: {tryFastPath: async () => false}} : await loadFastPath()
    // It reads oclif's settings from package.json too: hooks or plugins there send everything to oclif.
    const handled = await fastPath.tryFastPath(argv, pjson())
    if (handled) saveCache?.()
    if (!handled) {
      // oclif's execute alone: the package index loads every module of @oclif/core (~12 ms more at start-up).
      const {execute} = require('@oclif/core/execute')
      await execute({dir: ROOT})
    }
  }
}

// As a rejected top-level await in an ES module: Node reports the error and exits 1 (nothing reaches here normally:
// the fast path and oclif report their own errors).
main().catch((err) => {
  process.exitCode = 1
  throw err
})
