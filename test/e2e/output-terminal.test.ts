// The list commands at a real terminal (tmux, 80 and 200 columns) and into a pipe, against the real local platform.
import {expect} from 'chai'

import {runCli} from '../helpers/cli.js'
import {startAdminWorld, type AdminWorld} from '../helpers/admin-world.js'
import {openTmux, type Tmux} from '../helpers/tmux.js'

describe('list commands at a terminal and into a pipe (real CLI, tmux)', function () {
  // A platform, a sign-in and two terminals: minutes on a loaded machine (a limit, not a threshold).
  this.timeout(300_000)
  let w: AdminWorld
  /** What no rendering may break: every id, UPN, SKU part number and GUID the commands print. */
  let ids: {connectors: string[]; skus: string[]; auth: string[]}

  before(async () => {
    w = await startAdminWorld(['admin'])
    const json = async (...args: string[]) => JSON.parse((await w.run('admin', ...args, '--json')).stdout) as Record<string, Array<Record<string, string>>>
    ids = {
      connectors: (await json('connector', 'list')).items.map((c) => c.id),
      skus: (await json('license', 'list')).items.map((s) => s.id),
      auth: (await json('auth', 'list')).items.flatMap((p) => [p.name, p.account, p.tenantId].filter(Boolean)),
    }
    expect(ids.connectors).to.include('shared_azureeventgrid')
    expect(ids.skus).to.include('POWERAPPS_PER_USER')
    expect(ids.auth).to.include('admin@contoso.example')
  })
  after(async () => w?.stop())

  const env = () => {
    // The insecure-storage warning (the test machines keep tokens in a file) is prose on stderr, wrapped by the terminal.
    const {COLUMNS: _columns, ...rest} = w.machines.admin.env
    return {...rest, PPCTL_NO_WARNINGS: '1'}
  }

  for (const columns of [80, 200]) {
    describe(`at ${columns} columns`, () => {
      let tmux: Tmux
      before(async () => {
        tmux = await openTmux({columns, rows: 60, env: env()})
      })
      after(async () => tmux?.close())

      for (const [command, key] of [
        ['connector list', 'connectors'],
        ['license list', 'skus'],
        ['auth list', 'auth'],
      ] as const) {
        it(`${command}: no line wider than the terminal, no id broken or cut`, async () => {
          // history() joins the lines the terminal wrapped (-J): a joined line wider than the window was wrapped.
          const {status, lines} = await tmux.run(`ppctl ${command}`)
          expect(status, lines.join('\n')).to.equal(0)
          for (const line of lines) expect([...line].length, `${line}\n(in)\n${lines.join('\n')}`).to.be.at.most(columns)
          for (const id of ids[key])
            expect(
              lines.some((line) => new RegExp(`(^|[\\s│])${id.replaceAll('.', '\\.')}($|[\\s│])`).test(line)),
              `${id} whole in:\n${lines.join('\n')}`,
            ).to.equal(true)
          expect(lines.join('\n')).not.to.match(/\u001b/)
        })
      }
    })
  }

  // stderr (the count "44 connectors") is left out: it is for the person at the terminal, not for the pipe.
  it('into a pipe: TSV that grep -c and cut -f1 read (shared_azureeventgrid counted once)', async () => {
    const tmux = await openTmux({columns: 80, env: env()})
    try {
      const grep = await tmux.run('ppctl connector list 2>/dev/null | grep -c shared_azureeventgrid')
      expect(grep.lines).to.deep.equal(['1'])
      const cut = await tmux.run('ppctl connector list 2>/dev/null | cut -f1')
      expect(cut.lines).to.deep.equal(['Id', ...ids.connectors])
      const sku = await tmux.run('ppctl license list | grep POWERAPPS_PER_USER | cut -f1')
      expect(sku.lines).to.deep.equal(['POWERAPPS_PER_USER'])
      const tenants = await tmux.run("ppctl auth list --no-headers | cut -f4,5 | tr '\\t' '|'")
      const {items: profiles} = JSON.parse((await runCli(['auth', 'list', '--json'], env())).stdout) as {
        items: Array<{account: string | null; tenantId: string | null}>
      }
      expect(tenants.lines).to.deep.equal(profiles.map((p) => `${p.account ?? ''}|${p.tenantId ?? ''}`))
    } finally {
      await tmux.close()
    }
  })
})
