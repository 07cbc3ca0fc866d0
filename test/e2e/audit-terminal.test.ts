// `ppctl audit stream` at a real terminal (tmux): the table at 80 and 200 columns, Ctrl-C and `| head` ending quietly.
import {expect} from 'chai'

import {adminMachine, appendEvents, seedEvents, startAuditPlatform} from '../helpers/audit-e2e.js'
import {runCli, type CliEnv} from '../helpers/cli.js'
import type {TestPlatform} from '../helpers/platform.js'
import {openTmux, type Tmux} from '../helpers/tmux.js'

const APP_ID = '7d3f0b1e-5c2a-4e8b-9f10-00000000abcd'
const MAKER = 'maker@contoso.example'

describe('ppctl audit stream at a terminal (tmux)', function () {
  let platform: TestPlatform
  let m: CliEnv
  let term: Tmux | undefined
  /** The tables show the events before this time; after it come bulk events, more than a pipe holds (for `| head`). */
  let cutoff: string

  before(async () => {
    platform = await startAuditPlatform()
    m = await adminMachine(platform)
    // A real license change (the platform names its target: display name and UPN) and a service principal's GUID.
    const assign = await runCli(['license', 'assign', '--user', MAKER, '--sku', 'POWERAPPS_PER_USER'], m.env)
    expect(assign.code, assign.stderr).to.equal(0)
    await appendEvents(platform.dataDir, 'eastus-1', [
      {
        action: 'connector.blocked',
        result: 'succeeded',
        actor: {type: 'servicePrincipal', id: APP_ID, appId: APP_ID},
        target: {type: 'connector', id: 'shared_ftp'},
      },
    ])
    const at = Date.now() + 1
    cutoff = new Date(at).toISOString()
    // The bulk events must be stamped after the cutoff: wait for the clock to pass it (a millisecond).
    while (Date.now() <= at) await new Promise((resolve) => setImmediate(resolve))
    await seedEvents(platform.dataDir, 'eastus-1', 3000, 0, () => 'bulk.seeded')
  })

  afterEach(async () => {
    await term?.close()
    term = undefined
  })

  after(async () => {
    await platform?.stop()
    m?.cleanup()
  })

  /** The ids a row must show whole: every seq, the actors' UPNs and app id, the license's target UPN. */
  async function ids(): Promise<string[]> {
    const out = await runCli(['audit', 'stream', '--until', cutoff], m.env)
    expect(out.code, out.stderr).to.equal(0)
    const events = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {seq: number; action: string; actor: {upn?: string; appId?: string}; target?: {upn?: string}})
    const license = events.find((e) => e.action === 'license.assigned')
    expect(license?.target?.upn, 'the platform names the license target').to.equal(MAKER)
    return [...new Set(events.flatMap((e) => [String(e.seq), e.actor.upn ?? e.actor.appId ?? '', e.target?.upn ?? '']).filter(Boolean))]
  }

  for (const columns of [80, 200]) {
    it(`--output table at ${columns} columns: no line wider than the terminal, no id broken`, async function () {
      const whole = await ids()
      term = await openTmux({columns, rows: 60, env: m.env})
      const {status, lines} = await term.run(`ppctl audit stream --output table --until ${cutoff}`)
      expect(status, lines.join('\n')).to.equal(0)
      // The lines as written (-J joins what the terminal wrapped): no table line may be longer than the terminal.
      // (Above the table, stderr's note about file-stored tokens is prose, which a terminal wraps.)
      const table = lines.filter((l) => /^[┌│├└]/.test(l))
      expect(table.length).to.be.greaterThan(4)
      for (const line of table) expect([...line].length, line).to.be.at.most(columns)
      expect(table.at(-1)).to.match(/^└/)
      const cells = table.join('\n')
      for (const id of whole) expect(cells, `${id} whole on one line`).to.match(new RegExp(`(^|[\\s│])${id.replaceAll('.', '\\.')}([\\s│]|$)`, 'm'))
      expect(cells).to.contain('license.assigned').and.contain(APP_ID).and.not.contain('bulk.seeded')
      // The maker's display name and UPN, where the platform knows them.
      expect(cells).to.match(/Contoso Maker/)
    })
  }

  it('Ctrl-C of --follow: exit 130, no error banner, the command to resume on stderr', async () => {
    term = await openTmux({columns: 120, env: m.env})
    await term.type('clear; ppctl audit stream --follow; echo "=exit=$?="', true)
    await term.waitFor(/"action":"bulk\.seeded"/)
    await term.keys('C-c')
    const screen = (await term.waitFor(/^=exit=\d+=$/m)).join('\n')
    expect(/^=exit=(\d+)=$/m.exec(screen)?.[1], screen).to.equal('130')
    expect(screen).not.to.match(/Error|Interrupted/)
    // The terminal echoes ^C where the cursor is: the hint may follow it on that line.
    expect(screen, screen.slice(-2000)).to.match(/^(\^C)?Stopped after seq \d+\. Resume: ppctl audit stream --follow --after \d+$/m)
  })

  it('| head: the first lines, then the prompt; no error and no hint (exit 141 for ppctl)', async () => {
    term = await openTmux({columns: 120, env: m.env})
    const {status, lines} = await term.run('ppctl audit stream | head -n 2; echo "=ppctl=${PIPESTATUS[0]}="')
    expect(status).to.equal(0)
    const text = lines.join('\n')
    expect(/=ppctl=(\d+)=/.exec(text)?.[1], text).to.equal('141')
    expect(lines.filter((l) => l.startsWith('{"id"'))).to.have.length(2)
    expect(text).not.to.match(/Error|Stopped|Resume/)
  })
})
