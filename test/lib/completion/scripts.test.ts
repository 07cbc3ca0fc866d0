// The completion scripts: each calls `ppctl __complete --` with the words typed and reads its answer; bash's is checked by bash itself.
import {expect} from 'chai'
import {execFileSync} from 'node:child_process'

import {SHELLS} from '../../../src/lib/completion/complete.js'
import {completionScript} from '../../../src/lib/completion/scripts.js'

describe('completion scripts', () => {
  it('bash: valid syntax (bash -n), a completion function registered for ppctl that asks __complete with the words after --', () => {
    const script = completionScript('bash')
    execFileSync('bash', ['-n'], {input: script})
    expect(script).to.match(/^complete -F _ppctl_completion ppctl$/m)
    expect(script).to.contain('ppctl __complete -- "${words[@]}" 2>/dev/null')
    // Falls back to file names when the answer says they fit (":1").
    expect(script).to.contain('compopt -o default')
  })

  it('zsh: a #compdef file that works from fpath and when sourced, with descriptions through _describe', () => {
    const script = completionScript('zsh')
    expect(script.split('\n')[0]).to.equal('#compdef ppctl')
    expect(script).to.match(/^compdef _ppctl ppctl$/m)
    expect(script).to.contain('ppctl __complete -- "${(@)words[2,CURRENT]}" 2>/dev/null')
    expect(script).to.contain('_describe -t ppctl ppctl completions')
    expect(script).to.contain('_files')
    expect(script).to.match(/if \[ "\$funcstack\[1\]" = "_ppctl" \]; then\n {2}_ppctl "\$@"\nfi/)
  })

  it('fish: a completion for ppctl without file names by default, passing the current token last', () => {
    const script = completionScript('fish')
    expect(script).to.match(/^complete -c ppctl -f -a '\(__ppctl_complete\)'$/m)
    expect(script).to.contain('set -l current (commandline -ct)')
    expect(script).to.contain('ppctl __complete -- $words "$current" 2>/dev/null')
    expect(script).to.contain('__fish_complete_path "$current"')
  })

  it('PowerShell: a native argument completer for ppctl that returns CompletionResults with descriptions', () => {
    const script = completionScript('powershell')
    expect(script).to.contain("Register-ArgumentCompleter -Native -CommandName 'ppctl' -ScriptBlock {")
    expect(script).to.contain('& ppctl __complete -- @words 2>$null')
    expect(script).to.contain("$line -split '\\t', 2")
    expect(script).to.contain("[System.Management.Automation.CompletionResult]::new($value, $value, 'ParameterValue', $description)")
    // Braces balance (no PowerShell here to parse it).
    expect(script.split('{').length).to.equal(script.split('}').length)
  })

  it('every shell has a script that tells how to enable it', () => {
    for (const shell of SHELLS) expect(completionScript(shell), shell).to.match(/Enable it/)
  })
})
