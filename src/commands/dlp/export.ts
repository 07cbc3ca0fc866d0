import {resolve} from 'node:path'

import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {writeFileAtomic} from '../../lib/config/atomic.js'
import {exportPolicies} from '../../lib/dlp/workflow.js'
import {parsePolicyFile, type DlpPoliciesFile} from '../../lib/dlp/policy-file.js'
import {multiline, text} from '../../lib/output/render.js'

export interface DlpExportResult {
  /** The file written, or null when the document went to stdout. */
  file: string | null
  /** How many policies. @asType integer @minimum 0 */
  count: number
  document: DlpPoliciesFile
}

export default class DlpExport extends BaseCommand<typeof DlpExport> {
  static override summary = 'Write every DLP policy to one YAML document: policies as code, to review, edit and apply.'
  static override description =
    'Stable order (policies by name, connectors sorted), each policy with its ETag, and a yaml-language-server comment pointing editors at the published JSON Schema (schemas/dlp-policies.json). The tenant-wide policy of connector block/unblock is left out: those commands manage it. Without --out the document goes to stdout. Needs the Admin role.'

  static override examples = [
    {description: 'Into a file, to edit and apply', command: '<%= config.bin %> <%= command.id %> --out policies.yaml'},
    {description: 'To stdout', command: '<%= config.bin %> <%= command.id %>'},
  ]

  static override flags = {
    out: Flags.string({description: 'Write the document to this file (replaced atomically) instead of stdout.'}),
  }

  async run(): Promise<DlpExportResult> {
    const {text: yaml, count} = await exportPolicies(this.ctx)
    const document = parsePolicyFile(yaml).value as DlpPoliciesFile
    if (this.flags.out) {
      await writeFileAtomic(resolve(this.flags.out), yaml, 0o644, {privateDir: false})
      this.out(text`Wrote ${count} polic${count === 1 ? 'y' : 'ies'} to ${this.flags.out}. Next: edit it, then ppctl dlp plan ${this.flags.out}`)
      return {file: this.flags.out, count, document}
    }
    this.out(multiline(yaml.replace(/\n$/, '')))
    return {file: null, count, document}
  }
}
