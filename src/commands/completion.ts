// `ppctl completion <shell>`: prints the shell completion script for bash, zsh, fish or PowerShell.
import {Args} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {SHELLS} from '../lib/completion/complete.js'
import {completionScript, type Shell} from '../lib/completion/scripts.js'
import {UsageError} from '../lib/errors/index.js'
import {multiline} from '../lib/output/render.js'

export interface CompletionResult {
  shell: Shell
  script: string
}

const isShell = (name: string): name is Shell => (SHELLS as readonly string[]).includes(name)

export default class Completion extends BaseCommand<typeof Completion> {
  static override summary = 'Print the shell completion script for bash, zsh, fish or PowerShell.'
  static override description = `Tab then completes topics, commands, flags, the allowed values of flags (--tier, --output …) and the profile names of --profile and \`auth switch\`. Completing reads only the command definitions and the local configuration file: it never uses the network, the keychain or a prompt.

To enable it:
  bash        source <(ppctl completion bash)            (add that line to ~/.bashrc to keep it)
  zsh         ppctl completion zsh > "\${fpath[1]}/_ppctl"  (then a new shell; compinit must run in ~/.zshrc)
  fish        ppctl completion fish > ~/.config/fish/completions/ppctl.fish
  PowerShell  ppctl completion powershell | Out-String | Invoke-Expression   (add that line to $PROFILE to keep it)`

  static override examples = [
    {description: 'bash, in this shell', command: 'source <(<%= config.bin %> <%= command.id %> bash)'},
    {description: 'bash, in every new shell', command: "echo 'source <(<%= config.bin %> <%= command.id %> bash)' >> ~/.bashrc"},
    {description: 'zsh, where compinit finds it', command: '<%= config.bin %> <%= command.id %> zsh > "${fpath[1]}/_ppctl"'},
    {description: 'fish', command: '<%= config.bin %> <%= command.id %> fish > ~/.config/fish/completions/ppctl.fish'},
    {
      description: 'PowerShell, in every new session',
      command: "Add-Content $PROFILE '<%= config.bin %> <%= command.id %> powershell | Out-String | Invoke-Expression'",
    },
  ]

  static override args = {
    shell: Args.string({description: `The shell: ${SHELLS.join(', ')}.`, required: true}),
  }

  async run(): Promise<CompletionResult> {
    const shell = this.args.shell
    if (!isShell(shell)) {
      throw new UsageError('USAGE', `ppctl cannot write a completion script for "${shell.replace(/[^\x20-\x7e]/g, '?')}": it knows ${SHELLS.join(', ')}.`, {
        nextStep: 'ppctl completion bash   (or zsh, fish, powershell; see ppctl completion --help)',
      })
    }
    const script = completionScript(shell)
    // ppctl's own text; multiline keeps its lines (and would strip anything a terminal acts on).
    this.out(multiline(script))
    return {shell, script}
  }
}
