// What completion reads besides the command definitions: profile names from the local configuration file, the config keys.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {resolvePaths} from '../config/paths.js'
// The names `ppctl config set --profile` accepts: anything else in the file is not offered to a shell.
import {PROFILE_NAME} from '../config/profile-name.js'
import type {CompletionSources, CompletionSpec, SpecCommand, SpecTopic} from './complete.js'

/**
 * The profiles of the configuration file, sorted; none when it is missing or unreadable. Only the file's keys are
 * read: never a credential, never the network, and nothing is ever printed (a shell is waiting on stdout).
 */
export function localProfileNames(env: NodeJS.ProcessEnv = process.env): string[] {
  try {
    const parsed = JSON.parse(readFileSync(join(resolvePaths(env).config, 'config.json'), 'utf8')) as {profiles?: unknown}
    const profiles = parsed?.profiles
    if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) return []
    return Object.keys(profiles)
      .filter((name) => PROFILE_NAME.test(name))
      .sort()
  } catch {
    return []
  }
}

/** The sources of a real run: this machine's configuration file, and the keys `ppctl config` knows. */
export function localSources(env: NodeJS.ProcessEnv = process.env): CompletionSources {
  return {
    profiles: () => localProfileNames(env),
    // Loaded only when a config key is being completed.
    configKeys: async () => (await import('../config/keys.js')).CONFIG_KEYS.map((k) => k.key),
  }
}

interface Manifest {
  commands?: Record<string, SpecCommand>
}

/**
 * The spec from oclif.manifest.json and package.json's oclif.topics, or undefined when there is no readable
 * manifest (a development checkout before `npm run build`): then oclif's own command list must answer.
 */
export function specFromManifest(manifestFile: URL, topics: Record<string, {description?: string; hidden?: boolean}> = {}): CompletionSpec | undefined {
  let manifest: Manifest
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest
  } catch {
    return undefined
  }
  if (typeof manifest?.commands !== 'object' || manifest.commands === null) return undefined
  return {
    commands: Object.values(manifest.commands),
    topics: Object.entries(topics).map(([name, topic]): SpecTopic => ({name: name.replace(/ /g, ':'), description: topic.description, hidden: topic.hidden})),
  }
}

/** Beside the compiled (or source) file: ../../../ is the package root from dist/lib/completion and src/lib/completion alike. */
const MANIFEST_FILE = new URL('../../../oclif.manifest.json', import.meta.url)

/**
 * The printed answer of `ppctl __complete -- <words>` from the manifest alone, without loading oclif; undefined when
 * there is no manifest to read (oclif's loaded commands answer then).
 */
export async function answerFromManifest(
  argv: readonly string[],
  topics: Record<string, {description?: string; hidden?: boolean}> | undefined,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const spec = specFromManifest(MANIFEST_FILE, topics)
  if (!spec) return undefined
  const {complete, formatAnswer} = await import('./complete.js')
  const words = argv[0] === '--' ? argv.slice(1) : argv
  try {
    return formatAnswer(await complete(spec, words, localSources(env)))
  } catch {
    return formatAnswer({candidates: [], files: false})
  }
}
