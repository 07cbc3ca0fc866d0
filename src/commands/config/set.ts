import {Args} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {text} from '../../lib/output/render.js'
import {formatConfigValue} from '../../lib/config/keys.js'
import {setConfig, type ConfigSetResult} from '../../lib/config/settings.js'

export type {ConfigSetResult}

export default class ConfigSet extends BaseCommand<typeof ConfigSet> {
  static override summary = 'Set one setting of a profile (created when it does not exist).'
  static override description =
    'Checks the value first and writes nothing when it is invalid: authority and global-url must be https URLs without user name or password; ca-file must be a readable PEM file (stored as an absolute path); cluster-allow-list is a comma-separated list of host names or "*.domain" patterns; allow-ip-literals is true or false; credential-store is keychain, file or memory; default-profile must name an existing profile; output (the default output format) is table, tsv, csv, json or yaml. The file is written atomically and readable only by you.'

  static override examples = [
    {description: 'Point the active profile at an identity provider', command: '<%= config.bin %> <%= command.id %> authority https://login.example.com'},
    {
      description: 'Create a profile "prod" with its global service',
      command: '<%= config.bin %> <%= command.id %> global-url https://global.example.com --profile prod',
    },
    {description: 'Trust an extra CA', command: '<%= config.bin %> <%= command.id %> ca-file ./corp-ca.pem'},
    {
      description: 'Allow the clusters of two regions',
      command: '<%= config.bin %> <%= command.id %> cluster-allow-list "*.eu.clusters.example.com,*.us.clusters.example.com"',
    },
    {description: 'Make "prod" the default profile', command: '<%= config.bin %> <%= command.id %> default-profile prod'},
    {description: 'Print TSV even at a terminal (-o and PPCTL_OUTPUT still win)', command: '<%= config.bin %> <%= command.id %> output tsv'},
  ]

  static override args = {
    key: Args.string({description: 'The key, e.g. authority, global-url, ca-file, client-id, tenant (see: ppctl config list).', required: true}),
    value: Args.string({description: 'The new value.', required: true}),
  }

  async run(): Promise<ConfigSetResult> {
    const result = await setConfig(this.ctx, this.args.key, this.args.value)
    const where = result.profile === null ? '' : ` in profile "${result.profile}"${result.profileCreated ? ' (created)' : ''}`
    this.out(text`Set ${result.key} to ${formatConfigValue(result.value)}${where}.`)
    if (result.overriddenBy) this.note(text`Note: ${result.overriddenBy} is set in the environment and overrides this value.`)
    return result
  }
}
