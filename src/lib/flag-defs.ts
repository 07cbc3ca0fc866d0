// Flag definitions as plain data: oclif builds its flags from them (Flags.string(def)) and the fast path reads them, without loading oclif.
//
// Only what both can honour belongs here: no parse functions, no dynamic defaults. A definition with any other
// key is handed to oclif untouched by the fast path (fast-path.ts), so adding one never silently diverges.

interface CommonFlagDef {
  description: string
  summary?: string
  helpGroup?: string
  hidden?: boolean
  char?: string
  env?: string
  required?: boolean
  exclusive?: string[]
  dependsOn?: string[]
}

export interface StringFlagDef extends CommonFlagDef {
  type: 'option'
  default?: string
  options?: string[]
}

export interface BooleanFlagDef extends CommonFlagDef {
  type: 'boolean'
  default?: boolean
}

export type FlagDef = StringFlagDef | BooleanFlagDef

/** The base flags of every command (BaseCommand.baseFlags is built from these). */
export const BASE_FLAG_DEFS = {
  profile: {
    type: 'option',
    description: 'Profile to use (default: PPCTL_PROFILE, then the default profile).',
    helpGroup: 'GLOBAL',
  },
  debug: {
    type: 'boolean',
    description: 'Print diagnostic traces to stderr, with every secret redacted.',
    helpGroup: 'GLOBAL',
  },
  output: {
    type: 'option',
    char: 'o' as const,
    options: ['table', 'tsv', 'csv', 'json', 'yaml'],
    description: "Output format (default: PPCTL_OUTPUT, then the config's output, then table at a terminal and tsv elsewhere). json is --json.",
    helpGroup: 'GLOBAL',
  },
  query: {
    type: 'option',
    description: 'A JMESPath expression applied to the JSON result before it is printed, e.g. "items[?tier==\'premium\'].id".',
    helpGroup: 'GLOBAL',
  },
  'no-headers': {
    type: 'boolean',
    description: 'No header line in tsv and csv output.',
    helpGroup: 'GLOBAL',
  },
} satisfies Record<string, FlagDef>

/** The flag oclif adds itself when a command sets enableJsonFlag (as BaseCommand does); the fast path needs to know it. */
export const JSON_FLAG_DEF = {type: 'boolean', description: 'Format output as json.', helpGroup: 'GLOBAL'} satisfies FlagDef
