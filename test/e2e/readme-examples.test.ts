// The README's hand-written examples, run as written in bash against a real local platform: an example that drifts fails.
/*
 * How a README block is marked to run — an HTML comment (invisible on GitHub) on the line right before its fence:
 *
 *   <!-- readme-test: run -->                  the next ```sh block runs in bash, signed in as admin@contoso.example
 *                                              to a fresh local platform (started for this block alone, port 0)
 *   <!-- readme-test: run platform=none -->    the same with no platform: the block starts (and stops) its own
 *   <!-- readme-test: sample CMD -->           the next ``` block is what CMD prints on stdout (a signed-in platform);
 *                                              `exit=N`: CMD exits N; `stderr`: the block is its stderr instead;
 *                                              `reflow`: output wrapped to 80 columns, compared word by word in order
 *                                              (a port of another length moves the line breaks)
 *
 * The lines of a marker after its first one, up to a line `-->`, are a setup script: it runs (with `set -e`) before
 * the block in the same shell, and readers of the rendered README do not see it (e.g. a CSV file the block reads).
 *
 * In a `run` block, every command line (with its `\` continuation lines) is a step. Each step must exit 0, or N when
 * its own comment says `(exit N)`. Comment lines right after a command that start with `#   ` (hash, three blanks)
 * are that command's stdout, compared with the real one. A command whose comment says `until Ctrl-C` (`--follow`)
 * gets SIGINT once it has printed its first line, and must then exit 130 (or its `(exit N)`). Output is compared line by line: a run of digits matches any
 * digits, a run of blanks any blanks, and `…` any text — so times, ids, ports and column widths may differ.
 *
 * What the blocks get: `ppctl` on PATH (and `./bin/run.js` in the working folder) running this checkout's bin/run.js,
 * where `sandbox start` without --port takes a free port (the README's 8443 may be in use); `npm ci` and
 * `npm run build` do nothing (the suite built dist/ before it ran; any other npm command fails); a fresh HOME and
 * config folder, CI=1, the file credential store (no keychain in every CI job), PPCTL_OUTPUT=table (the README shows
 * what a person sees at a terminal; into the test's pipe ppctl would print TSV); the working folder is empty and
 * inside HOME, so `~/…` is outside it. A block that needs a person (a device code to approve in a browser), another
 * platform (example.com), or a command that may print nothing before Ctrl-C (`audit watch` without alerts) is left
 * unmarked.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {expect} from 'chai'

import {ROOT, makeCliEnv, runCli} from '../helpers/cli.js'
import {expectNoKeysIn, expectSteps, prepare, runSteps, signedIn} from '../helpers/example-runner.js'
import {markedBlocks, matchesSample, steps, type MarkedBlock, type Step} from '../helpers/readme-blocks.js'

const README = readFileSync(join(ROOT, 'README.md'), 'utf8')

async function runMarked(block: MarkedBlock) {
  const where = `README.md:${block.line}`
  const list: Step[] =
    block.kind === 'run'
      ? steps(block.body)
      : [
          {
            command: block.options.stderr ? `{ ${block.command}\n} 2>&1 >/dev/null` : block.command,
            exit: Number(block.options.exit ?? 0),
            expected: block.body,
            reflow: Boolean(block.options.reflow),
          },
        ]
  expect(list.length, `${where}: a marked block without a command`).to.be.greaterThan(0)
  if (block.options.platform === 'none') {
    const cli = makeCliEnv()
    const machine = prepare(cli)
    try {
      expectSteps(where, await runSteps(machine, block.setup, list), list)
      expectNoKeysIn(where, machine.cwd)
    } finally {
      await runCli(['sandbox', 'stop'], machine.env)
      cli.cleanup()
    }
    return
  }
  const {platform, cli} = await signedIn()
  const machine = prepare(cli)
  try {
    expectSteps(where, await runSteps(machine, block.setup, list), list)
    expectNoKeysIn(where, machine.cwd)
  } finally {
    cli.cleanup()
    await platform.stop()
  }
}

describe('README examples (run as written against a real local platform)', function () {
  this.timeout(300_000)
  const blocks = markedBlocks(README)

  it('marks the hand-written examples that can run', () => {
    expect(blocks.filter((b) => b.kind === 'run').length).to.be.greaterThanOrEqual(6)
    expect(blocks.filter((b) => b.kind === 'sample').length).to.be.greaterThanOrEqual(1)
  })

  for (const block of blocks) {
    const first = block.kind === 'run' ? (steps(block.body)[0]?.command.split('\n')[0] ?? '') : block.command
    it(`README.md:${block.line} ${block.kind === 'run' ? 'runs' : 'shows the real output of'}: ${first}`, () => runMarked(block))
  }
})

describe('README example runner', function () {
  it('tells output that drifted from the sample', () => {
    const sample = 'Decision:  DENY — user@contoso.example\nSeats:     2 of 3 (…)'
    expect(matchesSample('Decision:      DENY — user@contoso.example\nSeats: 1 of 3 (since 2026-01-01)\n', sample)).to.deep.equal({ok: true})
    expect(matchesSample('Decision:  ALLOW — user@contoso.example\nSeats: 1 of 3 ()', sample)).to.include({ok: false, line: 1})
    expect(matchesSample('Decision:  DENY — user@contoso.example', sample)).to.include({ok: false, line: 2})
    expect(matchesSample('Decision:  DENY — user@contoso.example\nSeats: 1 of 3 ()\nmore', sample)).to.include({ok: false, line: 3})
    // Reflowed: the same words broken elsewhere match; a changed word does not.
    expect(matchesSample('Decision:  DENY —\n  user@contoso.example Seats:\n  1 of 3 ()', sample, {reflow: true})).to.deep.equal({ok: true})
    expect(matchesSample('Decision:  DENY —\n  user@contoso.example Slots:\n  1 of 3 ()', sample, {reflow: true})).to.include({ok: false})
  })

  it('splits a block into steps, with continuation lines, shown output and expected exit codes', () => {
    const list = steps(
      [
        '# a comment',
        'ppctl one --flag \\',
        '  --more',
        '#   its output',
        '#   second line',
        'ppctl two   # fails on purpose (exit 8)',
        'ppctl three --follow   # until Ctrl-C',
        '',
      ].join('\n'),
    )
    expect(list).to.deep.equal([
      {command: 'ppctl one --flag \\\n  --more', exit: 0, expected: 'its output\nsecond line'},
      {command: 'ppctl two   # fails on purpose (exit 8)', exit: 8},
      {command: 'ppctl three --follow   # until Ctrl-C', exit: 130, interrupt: true},
    ])
  })

  it('reads markers, their options and their hidden setup', () => {
    const blocks = markedBlocks(
      [
        'text',
        '<!-- readme-test: run platform=none -->',
        '```sh',
        'ppctl a',
        '```',
        '<!-- readme-test: sample exit=7 stderr ppctl b --x',
        'touch f',
        '-->',
        '```',
        'out',
        '```',
      ].join('\n'),
    )
    expect(blocks).to.deep.equal([
      {kind: 'run', line: 2, options: {platform: 'none'}, command: '', setup: '', body: 'ppctl a'},
      {kind: 'sample', line: 6, options: {exit: '7', stderr: 'yes'}, command: 'ppctl b --x', setup: 'touch f', body: 'out'},
    ])
  })
})
