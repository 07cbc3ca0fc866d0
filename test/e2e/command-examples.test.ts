// Commands' own examples (oclif.manifest.json: --help and the README's command reference), run as written on a real local platform.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {expect} from 'chai'

import {ROOT, type CliEnv} from '../helpers/cli.js'
import {expectSteps, prepare, runSteps, signedIn, type Machine} from '../helpers/example-runner.js'
import type {TestPlatform} from '../helpers/platform.js'
import type {Step} from '../helpers/readme-blocks.js'

/**
 * Commands' own examples (oclif.manifest.json: `--help` and the README's command reference) that run as written on a
 * signed-in local platform and change nothing, so they share one platform. The others name another platform
 * (example.com), a profile or file that is not there, a person at a terminal, or change state; the manifest test
 * (test/cli/manifest-examples.test.ts) checks that all of them at least call real commands with real flags.
 */
const COMMAND_EXAMPLES: ReadonlyArray<readonly [string, string]> = [
  ['auth:token', 'Call the API with curl'],
  ['auth:token', 'With its expiry'],
  ['auth:list', 'The profiles'],
  ['auth:list', 'Names of the signed-in profiles'],
  ['auth:status', 'Every profile'],
  ['auth:status', 'Is the sign-in still good? (for a script: exit 0, 4 or 8)'],
  ['auth:status', 'The profile in use (checked with the platform at a terminal)'],
  ['config:get', "The active profile's authority"],
  ['config:get', 'The default profile'],
  ['config:get', 'With its source, for scripts'],
  ['config:list', 'Settings of the active profile'],
  ['config:list', 'For scripts: only the keys that are set'],
  ['connector:access', 'Why can this app user not use Salesforce?'],
  ['connector:access', 'The same person building an app'],
  ['connector:access', 'For a script: decision and reason code'],
  ['connector:list', 'Every connector of the tenant'],
  ['connector:list', 'Premium connectors that are blocked'],
  ['connector:list', 'Connectors whose id or name contains "sql"'],
  ['connector:list', 'Every custom connector, for a script'],
  ['connector:show', 'A seeded connector'],
  ['connector:show', 'The same, for a script'],
  ['license:assign', 'See what would happen'],
  ['license:list', 'SKUs and seats'],
  ['license:list', 'For a script'],
  ['license:list', 'Free seats of one SKU'],
  ['license:show', "A user's licenses"],
  ['license:show', 'Your own'],
  ['license:show', 'For a script'],
  ['route:show', "The signed-in tenant's route"],
  ['route:show', 'Ask the global service again, for a script'],
  ['sandbox:status', 'Show the status'],
  ['sandbox:status', 'For scripts'],
  ['sandbox:users', 'Show the identities'],
  ['sandbox:users', "Contoso admin's password, for a script"],
  ['user:list', 'Every user'],
  ['user:list', 'Users whose UPN or name contains "megan"'],
  ['user:list', 'For a script'],
  ['user:show', 'A user'],
  ['user:show', 'Yourself'],
  ['user:show', 'For a script'],
  ['audit:stream', 'The last hour of failed sign-ins, as NDJSON'],
  ['env:list', 'Every environment'],
  ['env:list', 'Their ids, for a script'],
  ['env:show', 'The default environment'],
  ['flow:list', 'Every flow'],
  ['flow:list', 'Suspended flows and why'],
  ['flow:list', 'Flows in one environment'],
  ['flow:show', 'A flow by name'],
  ['flow:show', 'For a script'],
  ['dlp:policy:list', 'Every policy'],
  ['dlp:policy:list', 'The policies that apply to one environment'],
  ['dlp:policy:show', 'The policy connector block/unblock manage'],
  ['dlp:policy:show', 'For a script'],
  ['dlp:export', 'To stdout'],
  ['dlp:explain', 'May SharePoint and Twitter be used together?'],
  ['dlp:explain', 'Why is this flow suspended?'],
  ['access:report', 'The whole tenant'],
  ['access:report', 'One environment, as CSV'],
]

describe("commands' examples that run on the local platform (oclif.manifest.json)", function () {
  this.timeout(120_000)
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
    commands: Record<string, {examples?: Array<string | {description: string; command: string}>}>
  }
  let platform: TestPlatform
  let cli: CliEnv
  let machine: Machine
  before(async function () {
    this.timeout(300_000)
    ;({platform, cli} = await signedIn())
    machine = prepare(cli)
  })
  after(async () => {
    cli?.cleanup()
    await platform?.stop()
  })

  for (const [id, description] of COMMAND_EXAMPLES) {
    it(`${id.replaceAll(':', ' ')}: ${description}`, async () => {
      const example = manifest.commands[id]?.examples?.find((e) => typeof e !== 'string' && e.description === description)
      expect(example, `no example "${description}" of ${id} in oclif.manifest.json`).to.not.equal(undefined)
      const command = (example as {command: string}).command.replaceAll('<%= config.bin %>', 'ppctl').replaceAll('<%= command.id %>', id.replaceAll(':', ' '))
      const list: Step[] = [{command, exit: 0}]
      expectSteps(`${id} example "${description}"`, await runSteps(machine, '', list), list)
    })
  }
})
