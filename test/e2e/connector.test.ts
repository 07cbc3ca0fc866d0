// `ppctl connector ...` against a real platform, as admin, maker, app user and support: list, show, block/unblock, access, create/delete.
import {expect} from 'chai'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import type {Connector} from '../../src/lib/platform/connectors.js'
import {errorOf, jsonOf, startAdminWorld, type AdminWorld} from '../helpers/admin-world.js'

const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/

// Two platforms: one that no test writes to, for the reading tests, and one whose tests each change only
// connectors that no other test touches, so every test sees the seeded state of what it asserts on.
describe('connector commands, reading (real CLI, a platform no test writes to)', function () {
  // A platform, several sign-ins and dozens of CLI runs: minutes on a loaded machine (a limit, not a threshold).
  this.timeout(300_000)
  let w: AdminWorld

  before(async () => {
    w = await startAdminWorld()
  })
  after(async () => w?.stop())

  describe('list', () => {
    it('admin: every seeded connector across pages, as a table and as --json', async () => {
      const json = await w.run('admin', 'connector', 'list', '--json')
      expect(json.code, json.stderr).to.equal(0)
      const out = jsonOf<{count: number; items: Connector[]}>(json, 'connector-list')
      expect(out.count).to.equal(44)
      expect(new Set(out.items.map((c) => c.id)).size).to.equal(44)
      const table = await w.run('admin', 'connector', 'list', '-o', 'table')
      expect(table.code, table.stderr).to.equal(0)
      expect(table.stdout).to.match(/│ shared_salesforce +│ Salesforce +│ Salesforce +│ premium +│ allowed +│/)
      expect(table.stdout).to.contain('44 connectors')
      const tsv = await w.run('admin', 'connector', 'list')
      expect(tsv.stdout.split('\n')).to.include('shared_salesforce\tSalesforce\tSalesforce\tpremium\tallowed')
      expect(tsv.stderr).to.contain('44 connectors')
    })

    it('filters by --tier, --search, --blocked and --allowed', async () => {
      const premium = jsonOf<{items: Connector[]}>(await w.run('maker', 'connector', 'list', '--tier', 'premium', '--json'), 'connector-list')
      expect(premium.items).to.have.length(20)
      expect(premium.items.every((c) => c.tier === 'premium')).to.equal(true)
      const sql = jsonOf<{items: Connector[]}>(await w.run('admin', 'connector', 'list', '--search', 'sql', '--json'), 'connector-list')
      expect(sql.items.map((c) => c.id).sort()).to.deep.equal(['shared_mysql', 'shared_sql'])
      const blocked = jsonOf<{items: Connector[]}>(await w.run('admin', 'connector', 'list', '--blocked', '--json'), 'connector-list')
      expect(blocked.items.every((c) => c.blocked)).to.equal(true)
      const allowed = jsonOf<{items: Connector[]}>(await w.run('admin', 'connector', 'list', '--allowed', '--json'), 'connector-list')
      expect(allowed.items.every((c) => !c.blocked)).to.equal(true)
      expect(blocked.items.map((c) => c.id)).to.deep.equal([])
      expect(allowed.items).to.have.length(44)
      const both = await w.run('admin', 'connector', 'list', '--blocked', '--allowed')
      expect(both.code).to.equal(2)
      const bad = await w.run('admin', 'connector', 'list', '--tier', 'gold')
      expect(bad.code).to.equal(2)
    })

    it('refuses the app user and support (exit 5)', async () => {
      const res = await w.run('user', 'connector', 'list', '--json')
      expect(res.code).to.equal(5)
      expect(errorOf(res).code).to.equal('ROLE_FORBIDDEN')
      // Support has no tenant of its own: the global service has no home for it (routing answers exit 6).
      const support = await w.run('support', 'connector', 'list', '--json')
      expect(support.code).to.equal(6)
      expect(errorOf(support).code).to.equal('TENANT_NOT_FOUND')
    })
  })

  describe('show', () => {
    it('shows a connector with its ETag; unknown → exit 6', async () => {
      const res = await w.run('maker', 'connector', 'show', 'shared_sharepointonline', '--json')
      expect(res.code, res.stderr).to.equal(0)
      expect(jsonOf<Connector>(res, 'connector-show')).to.include({id: 'shared_sharepointonline', unblockable: true, tier: 'standard'})
      const human = await w.run('admin', 'connector', 'show', 'shared_sharepointonline', '-o', 'table')
      expect(human.stdout).to.match(/Can be blocked: +no \(core connector\)/)
      const missing = await w.run('admin', 'connector', 'show', 'shared_nope', '--json')
      expect(missing.code).to.equal(6)
      expect(errorOf(missing).code).to.equal('CONNECTOR_NOT_FOUND')
    })
  })

  describe('access', () => {
    it('explains a premium denial for an app user, and that a maker would be allowed', async () => {
      const res = await w.run('admin', 'connector', 'access', 'shared_salesforce', '--user', 'user@contoso.example', '--json')
      expect(res.code, res.stderr).to.equal(0)
      const out = jsonOf<{decision: string; reason: string; explanation: string; otherRole: {decision: string}}>(res, 'connector-access')
      expect(out).to.include({decision: 'deny', reason: 'PREMIUM_LICENSE_REQUIRED'})
      expect(out.explanation).to.equal(
        'premium connector; user@contoso.example holds no SKU that grants premium connectors (holds FLOW_FREE); a maker would be allowed',
      )
      const human = await w.run('admin', 'connector', 'access', 'shared_salesforce', '--user', 'user@contoso.example', '-o', 'table')
      expect(human.stdout).to.match(/Decision: +DENY/)
      expect(human.stdout).to.contain('ppctl license assign --user user@contoso.example --sku POWERAPPS_PER_APP')
    })

    it('allows with a premium license, as a maker, and for a standard connector', async () => {
      const held = jsonOf<{decision: string; reason: string; explanation: string}>(
        await w.run('admin', 'connector', 'access', 'shared_sql', '--user', 'megan.bowen@contoso.example', '--json'),
        'connector-access',
      )
      expect(held).to.include({decision: 'allow', reason: 'PREMIUM_LICENSE_HELD'})
      expect(held.explanation).to.contain('holds POWERAPPS_PER_USER (Power Apps Premium (per user)), which grants premium connectors')
      const maker = jsonOf<{decision: string; reason: string}>(
        await w.run('admin', 'connector', 'access', 'shared_sql', '--user', 'user@contoso.example', '--as', 'maker', '--json'),
        'connector-access',
      )
      expect(maker).to.include({decision: 'allow', reason: 'MAKER_NOT_LICENSE_RESTRICTED'})
      const std = jsonOf<{decision: string; reason: string}>(
        await w.run('admin', 'connector', 'access', 'shared_rss', '--user', 'user@contoso.example', '--json'),
        'connector-access',
      )
      expect(std).to.include({decision: 'allow', reason: 'STANDARD_CONNECTOR'})
    })

    it('an app user may ask about themselves, not about others (exit 5); unknown user → 6; support → 6 (no tenant)', async () => {
      const self = await w.run('user', 'connector', 'access', 'shared_salesforce', '--user', 'user@contoso.example', '--json')
      expect(self.code, self.stdout).to.equal(0)
      expect(jsonOf<{decision: string; explanation: string}>(self, 'connector-access').explanation).to.contain('a maker would be allowed')
      expect((await w.run('user', 'connector', 'access', 'shared_salesforce', '--user', 'admin@contoso.example', '--json')).code).to.equal(5)
      expect((await w.run('admin', 'connector', 'access', 'shared_salesforce', '--user', 'nobody@contoso.example', '--json')).code).to.equal(6)
      expect((await w.run('support', 'connector', 'access', 'shared_salesforce', '--user', 'user@contoso.example', '--json')).code).to.equal(6)
    })
  })
})

describe('connector commands, writing (real CLI, each test changes connectors no other test touches)', function () {
  // A platform, several sign-ins and dozens of CLI runs: minutes on a loaded machine (a limit, not a threshold).
  this.timeout(300_000)
  let w: AdminWorld

  before(async () => {
    w = await startAdminWorld()
  })
  after(async () => w?.stop())

  describe('block and unblock', () => {
    it('without a terminal and without --yes: usage error naming --yes, nothing changed', async () => {
      const res = await w.run('admin', 'connector', 'block', 'shared_dropbox')
      expect(res.code).to.equal(2)
      expect(res.stderr).to.contain('--yes')
      const show = jsonOf<Connector>(await w.run('admin', 'connector', 'show', 'shared_dropbox', '--json'), 'connector-show')
      expect(show.blocked).to.equal(false)
    })

    it('blocks, reports "already blocked" on a re-run, unblocks; the ETag changes', async () => {
      const before = jsonOf<Connector>(await w.run('admin', 'connector', 'show', 'shared_googledrive', '--json'), 'connector-show')
      const blocked = await w.run('admin', 'connector', 'block', 'shared_googledrive', '--yes', '--json')
      expect(blocked.code, blocked.stderr).to.equal(0)
      const r = jsonOf<{results: Array<{outcome: string; etag: string}>; failed: number}>(blocked, 'connector-block')
      expect(r.results[0].outcome).to.equal('blocked')
      expect(r.results[0].etag).not.to.equal(before.etag)
      const again = jsonOf<{results: Array<{outcome: string}>}>(
        await w.run('admin', 'connector', 'block', 'shared_googledrive', '--yes', '--json'),
        'connector-block',
      )
      expect(again.results[0].outcome).to.equal('already-blocked')
      const listed = jsonOf<{items: Connector[]}>(await w.run('admin', 'connector', 'list', '--blocked', '--json'), 'connector-list')
      expect(listed.items.map((c) => c.id)).to.include('shared_googledrive')
      const allowed = jsonOf<{items: Connector[]}>(await w.run('admin', 'connector', 'list', '--allowed', '--json'), 'connector-list')
      expect(allowed.items.map((c) => c.id)).not.to.include('shared_googledrive')
      const unblocked = await w.run('admin', 'connector', 'unblock', 'shared_googledrive', '--yes', '--json')
      expect(unblocked.code, unblocked.stderr).to.equal(0)
      expect(jsonOf<{results: Array<{outcome: string}>}>(unblocked, 'connector-unblock').results[0].outcome).to.equal('unblocked')
    })

    it('a core connector cannot be blocked: exit 7 with the reason', async () => {
      const res = await w.run('admin', 'connector', 'block', 'shared_approvals', '--yes', '--json')
      expect(res.code).to.equal(7)
      const error = errorOf(res)
      expect(error.code).to.equal('UNBLOCKABLE_CONNECTOR')
      expect(error.message).to.contain('Approvals').and.to.contain('core connector')
    })

    it('several ids: a result per id, exit 10 when some failed, the JSON still printed', async () => {
      const res = await w.run('admin', 'connector', 'block', 'shared_gmail', 'shared_flowpush', 'shared_nope', '--yes', '--json')
      expect(res.code).to.equal(10)
      const out = jsonOf<{results: Array<{id: string; outcome: string; error?: {code: string; exitCode: number}}>; failed: number}>(res, 'connector-block')
      expect(out.failed).to.equal(2)
      expect(out.results.map((r) => [r.id, r.outcome, r.error?.exitCode])).to.deep.equal([
        ['shared_gmail', 'blocked', undefined],
        ['shared_flowpush', 'failed', 7],
        ['shared_nope', 'failed', 6],
      ])
      const human = await w.run('admin', 'connector', 'unblock', 'shared_gmail', 'shared_nope', '--yes')
      expect(human.code).to.equal(10)
      expect(human.stdout).to.match(/shared_gmail.*unblocked/)
      expect(human.stderr).to.contain('exit 10')
    })

    it('refuses makers, app users and support (exit 5)', async () => {
      for (const role of ['maker', 'user'] as const) {
        const res = await w.run(role, 'connector', 'block', 'shared_rss', '--yes', '--json')
        expect(res.code, `${role}: ${res.stdout}`).to.equal(5)
      }
      expect((await w.run('support', 'connector', 'block', 'shared_rss', '--yes', '--json')).code).to.equal(6)
    })
  })

  describe('access to a blocked connector', () => {
    it('denies a blocked connector to everyone, and says who can unblock it', async () => {
      const blocked = await w.run('admin', 'connector', 'block', 'shared_jira', '--yes')
      expect(blocked.code, blocked.stderr).to.equal(0)
      const out = jsonOf<{decision: string; reason: string; explanation: string; nextStep: string}>(
        await w.run('admin', 'connector', 'access', 'shared_jira', '--user', 'admin@contoso.example', '--as', 'maker', '--json'),
        'connector-access',
      )
      expect(out).to.include({decision: 'deny', reason: 'CONNECTOR_BLOCKED'})
      expect(out.explanation).to.equal('Jira (shared_jira) is blocked in this tenant, for every user and every app')
      expect(out.nextStep).to.contain('ppctl connector unblock shared_jira')
    })
  })

  describe('create and delete', () => {
    const file = (name: string, body: string) => {
      const path = join(w.machines.maker.home, name)
      writeFileSync(path, body)
      return path
    }

    it('validates the file: one line naming the file and the field, exit 2', async () => {
      const res = await w.run('maker', 'connector', 'create', '--file', file('bad.json', '{"displayName": 42}'))
      expect(res.code).to.equal(2)
      expect(res.stderr.split('\n')[0]).to.equal('Error: bad.json: "displayName" is required and must be a string.')
      const extra = await w.run('maker', 'connector', 'create', '--file', file('extra.json', '{"displayName": "X", "colour": "red"}'))
      expect(extra.stderr).to.contain('extra.json: "colour" is not a known field')
      const broken = await w.run('maker', 'connector', 'create', '--file', file('broken.json', '{'))
      expect(broken.stderr).to.contain('broken.json: the file is not valid JSON')
    })

    it('a maker creates and deletes its own; another maker-made one is refused to others; seeded ones are refused (exit 7)', async () => {
      const created = await w.run(
        'maker',
        'connector',
        'create',
        '--file',
        file('orders.json', '{"displayName": "Orders API", "description": "Orders of the shop"}'),
        '--json',
      )
      expect(created.code, created.stderr).to.equal(0)
      const c = jsonOf<Connector>(created, 'connector-create')
      expect(c).to.include({tier: 'custom', displayName: 'Orders API'})
      expect((await w.run('user', 'connector', 'create', '--file', file('x.json', '{"displayName": "X"}'), '--json')).code).to.equal(5)
      expect((await w.run('maker', 'connector', 'delete', c.id)).code, 'no --yes without a terminal').to.equal(2)
      const seeded = await w.run('admin', 'connector', 'delete', 'shared_sql', '--yes', '--json')
      expect(seeded.code).to.equal(7)
      expect(errorOf(seeded).code).to.equal('NOT_CUSTOM_CONNECTOR')
      const adminMade = jsonOf<Connector>(
        await w.run('admin', 'connector', 'create', '--file', file('hr.json', '{"displayName": "HR API"}'), '--json'),
        'connector-create',
      )
      expect((await w.run('maker', 'connector', 'delete', adminMade.id, '--yes', '--json')).code).to.equal(5)
      const deleted = await w.run('maker', 'connector', 'delete', c.id, '--yes', '--json')
      expect(deleted.code, deleted.stdout).to.equal(0)
      expect(jsonOf(deleted, 'connector-delete')).to.deep.equal({id: c.id, displayName: 'Orders API', deleted: true})
      expect((await w.run('admin', 'connector', 'show', c.id)).code).to.equal(6)
      expect((await w.run('admin', 'connector', 'delete', adminMade.id, '--yes')).code).to.equal(0)
    })

    it('platform text with escape sequences prints inert in tables and exact in --json', async () => {
      const evil = 'Evil \x1b]52;c;aGVsbG8=\x07 \x1b]8;;https://evil.example\x07link\x1b]8;;\x07 \x1b[2J\rover \u202Egnp.exe'
      const created = jsonOf<Connector>(
        await w.run('maker', 'connector', 'create', '--file', file('evil.json', JSON.stringify({displayName: 'Evil', description: evil})), '--json'),
        'connector-create',
      )
      const json = jsonOf<Connector>(await w.run('maker', 'connector', 'show', created.id, '--json'), 'connector-show')
      expect(json.description).to.equal(evil)
      const human = await w.run('maker', 'connector', 'show', created.id)
      expect(human.code).to.equal(0)
      expect(human.stdout).not.to.match(CONTROL)
      expect(human.stdout).not.to.contain('aGVsbG8=')
      expect(human.stdout).to.contain('Evil  link over gnp.exe')
    })
  })
})
