import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {ExitCode} from '../../lib/errors/index.js'
import {validateFile, type ValidateOutcome} from '../../lib/dlp/workflow.js'
import {text} from '../../lib/output/render.js'
import {tableView} from '../../lib/output/view.js'

export type DlpValidateResult = ValidateOutcome & {file: string}

export default class DlpValidate extends BaseCommand<typeof DlpValidate> {
  static override summary = 'Check a DLP policies file: its schema and its meaning, every problem with its line.'
  static override description =
    'Checks what the schema says (fields, groups, scopes), then: a connector in two groups, endpoint rules and URL patterns whose last entry is not *, an unblockable connector in blocked, duplicate names, and — against the platform, unless --offline — connectors and environments that do not exist. Exit 0 when valid, 2 when not (the problems are the output).'

  static override examples = [
    {description: 'Check a file before planning it', command: '<%= config.bin %> <%= command.id %> policies.yaml'},
    {description: 'Without the platform (in a pre-commit hook)', command: '<%= config.bin %> <%= command.id %> policies.yaml --offline'},
  ]

  static override args = {
    file: Args.string({description: 'The policies file (YAML).', required: true}),
  }

  static override flags = {
    offline: Flags.boolean({description: 'Do not look connectors and environments up on the platform (no sign-in needed).'}),
  }

  async run(): Promise<DlpValidateResult> {
    const res = await validateFile(this.ctx, this.args.file, this.flags.offline)
    if (res.valid) {
      this.out(
        text`${this.args.file}: valid, ${res.policies} polic${res.policies === 1 ? 'y' : 'ies'}${res.checkedAgainstPlatform ? '' : ' (connectors and environments not checked: --offline)'}.`,
      )
    } else {
      this.exitWith(ExitCode.USAGE)
      this.view(
        tableView(
          ['Line', 'Path', {header: 'Problem', free: true}],
          res.issues.map((i) => [i.line ?? '', i.path, i.message]),
          {
            title: text`${this.args.file}: ${res.issues.length} problem${res.issues.length === 1 ? '' : 's'}`,
            wrap: true,
          },
        ),
      )
    }
    return {file: this.args.file, ...res}
  }
}
