// Shell completion at a real terminal (tmux, bash): the script from `ppctl completion bash` completes what a person types on Tab.
import {makeCliEnv, runCli, type CliEnv} from '../helpers/cli.js'
import {openTmux, type Tmux} from '../helpers/tmux.js'

describe('shell completion at a terminal (tmux, bash)', function () {
  this.timeout(180_000)
  let m: CliEnv
  let t: Tmux

  before(async () => {
    m = makeCliEnv()
    for (const profile of ['work', 'home-lab']) {
      const set = await runCli(['config', 'set', 'tenant', 'contoso.example', '--profile', profile], m.env)
      if (set.code !== 0) throw new Error(`config set --profile ${profile}: ${set.stderr}`)
    }
    t = await openTmux({columns: 120, env: m.env})
    const loaded = await t.run('source <(ppctl completion bash)')
    if (loaded.status !== 0) throw new Error(`loading the completion script: ${loaded.lines.join('\n')}`)
  })
  after(async () => {
    await t?.close()
    m?.cleanup()
  })

  /** On an empty line (Ctrl-U), types `line`, presses the keys and waits for the screen to show `expected`; the line is erased again after. */
  async function tab(line: string, keys: string[], expected: RegExp): Promise<void> {
    await t.keys('C-u')
    // A clear screen, so that only this test's output can match.
    await t.run(':')
    try {
      await t.type(line)
      await t.keys(...keys)
      await t.waitFor(expected)
    } finally {
      await t.keys('C-u')
    }
  }

  it('completes a topic: `ppctl conn` + Tab', async () => {
    await tab('ppctl conn', ['Tab'], /(^|\s)ppctl connector$/m)
  })

  it('completes a command of the topic: `ppctl connector l` + Tab', async () => {
    await tab('ppctl connector l', ['Tab'], /(^|\s)ppctl connector list$/m)
  })

  it('lists the profiles of the configuration file for --profile (Tab Tab)', async () => {
    await tab('ppctl connector list --profile ', ['Tab', 'Tab'], /^home-lab\s+work$/m)
  })

  it('lists the allowed values of --tier (Tab Tab), and completes one from its first letter', async () => {
    await tab('ppctl connector list --tier ', ['Tab', 'Tab'], /^custom\s+premium\s+standard$/m)
    await tab('ppctl connector list --tier=p', ['Tab'], /(^|\s)ppctl connector list --tier=premium$/m)
    // After "--tier=" bash completes only what follows the "=".
    await tab('ppctl connector list --tier=', ['Tab', 'Tab'], /^custom\s+premium\s+standard\n.*ppctl connector list --tier=$/m)
  })
})
