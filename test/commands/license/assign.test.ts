// `ppctl license assign` in-process: one user or a CSV file, checks before changes, Idempotency-Keys on retries, partial runs, bad input.
import {expect} from 'chai'
import type nock from 'nock'

import LicenseAssign from '../../../src/commands/license/assign.js'
import {idempotencyKey} from '../../../src/lib/platform/licenses.js'
import {runCommand} from '../../helpers/command.js'
import {fakePlatform, problem, TENANT, type FakePlatform} from '../../helpers/fake-platform.js'
import {csvFile, EVIL, expectSchema, held, licensesOf, seats, sku, TERMINAL_CONTROL, user} from '../../helpers/license-fixtures.js'

const LEE = 'lee.gu@contoso.example'
const SKU = 'POWERAPPS_PER_USER'
const MEGAN = 'megan.bowen@contoso.example'
const byUpn = (upn: string) => `/v1/users/${encodeURIComponent(upn)}/licenses`
const byId = (upn: string) => `/v1/users/${user(upn).id}/licenses`
const assignment = (upn: string, skuId: string, consumed: number, over: Record<string, unknown> = {}) => ({
  userId: user(upn).id,
  skuId,
  assignedAt: '2026-01-02T03:04:05Z',
  alreadyAssigned: false,
  seats: seats(10, consumed),
  ...over,
})

/** The checks every assignment makes first: the SKU, then what the user holds. */
function checks(scope: nock.Scope, upn: string, skuId: string, over: {sku?: Record<string, unknown>; holds?: unknown[]} = {}) {
  return scope.get(`/v1/licenses/skus/${skuId}`).reply(200, sku(skuId, over.sku)).get(byUpn(upn)).reply(200, licensesOf(upn, over.holds))
}

/** POST answers in order; the Idempotency-Key and body of each request are recorded. */
function posts(scope: nock.Scope, upn: string, answers: Array<[number, unknown, Record<string, string>?]>, seen: Array<{key: string; body: unknown}> = []) {
  for (const [status, body, headers] of answers) {
    scope.post(byId(upn)).reply(function (_uri, requestBody) {
      seen.push({key: String(this.req.headers['idempotency-key']), body: requestBody})
      return [status, body as nock.Body, {'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers}]
    })
  }
  return seen
}

/** A file run: the SKUs, read once. */
const skuList = (scope: nock.Scope, ...skus: Array<ReturnType<typeof sku>>) => scope.get('/v1/licenses/skus').reply(200, {items: skus, nextCursor: null})

/** POSTs of a file run, addressed by the UPN as the file gives it. */
function postsByUpn(scope: nock.Scope, upn: string, answers: Array<readonly [number, unknown, Record<string, string>?]>) {
  for (const [status, body, headers] of answers)
    scope.post(byUpn(upn)).reply(status, body as nock.Body, {'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers})
}

type Doc = {
  operation: string
  dryRun: boolean
  failed: number
  results: Array<Record<string, unknown> & {error?: {code: string; exitCode: number; message: string}}>
}

describe('license assign (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  describe('one user', () => {
    it('checks the SKU and the user, then POSTs {skuId} once with the deterministic Idempotency-Key; at a terminal it does not ask', async () => {
      p = await fakePlatform({tty: true, columns: 160})
      checks(p.cluster, LEE, SKU)
      const seen = posts(p.cluster, LEE, [[201, assignment(LEE, SKU, 4)]])
      const res = await runCommand(LicenseAssign, ['--user', LEE, '--sku', SKU], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(res.stderr).to.equal('')
      expect(seen).to.deep.equal([{key: idempotencyKey(TENANT, LEE, SKU, 'assign'), body: {skuId: SKU}}])
      expect(seen[0].key).to.match(/^ppctl-assign-[\w-]{43}$/)
      expect(res.stdout).to.match(/User +│ SKU +│ Result +│ Seats left/)
      expect(res.stdout).not.to.contain('Line')
      expect(res.stdout).to.match(/lee\.gu@contoso\.example +│ POWERAPPS_PER_USER +│ assigned +│ 6 of 10/)
    })

    it('--json without a terminal: one result, no line number, matching schemas/license-assign.json', async () => {
      p = await fakePlatform()
      checks(p.cluster, LEE, SKU)
      posts(p.cluster, LEE, [[201, assignment(LEE, SKU, 4)]])
      const res = await runCommand(LicenseAssign, ['--user', LEE, '--sku', SKU, '--json'], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(res.stderr).to.equal('')
      expectSchema(res.json(), 'license-assign')
      expect(res.json()).to.deep.equal({
        operation: 'assign',
        dryRun: false,
        failed: 0,
        results: [{upn: LEE, sku: SKU, outcome: 'assigned', ok: true, seats: seats(10, 4)}],
      })
    })

    it('a user who holds the SKU already: "already assigned", no POST, exit 0', async () => {
      p = await fakePlatform()
      checks(p.cluster, LEE, SKU, {holds: [held(SKU)]})
      const res = await runCommand(LicenseAssign, ['--user', LEE, '--sku', SKU, '--json'], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(res.json<Doc>().results[0]).to.deep.equal({upn: LEE, sku: SKU, outcome: 'already-assigned', ok: true, seats: seats(10, 3)})
    })

    it('no seat left: exit 7 before any change, saying how many are taken and what to do', async () => {
      p = await fakePlatform()
      checks(p.cluster, LEE, SKU, {sku: {seats: seats(2, 2)}})
      const res = await runCommand(LicenseAssign, ['--user', LEE, '--sku', SKU], p)
      expect(res.code).to.equal(7)
      expect(res.stdout).to.equal('')
      expect(res.stderr).to.equal(
        `Error: No seats left on ${SKU}: 2 of 2 are assigned.\n  Next: Revoke one (ppctl license revoke --user UPN --sku ${SKU}) or buy more seats.\n`,
      )
    })

    it('the platform says 409 NO_SEATS_AVAILABLE (the last seat went meanwhile): exit 7 with its correlation id', async () => {
      p = await fakePlatform()
      checks(p.cluster, LEE, SKU)
      posts(p.cluster, LEE, [
        problem(409, 'NO_SEATS_AVAILABLE', '10 of 10 seats are assigned; revoke one or buy more.', 'corr-409') as unknown as [
          number,
          unknown,
          Record<string, string>,
        ],
      ])
      const res = await runCommand(LicenseAssign, ['--user', LEE, '--sku', SKU, '--json'], p)
      expect(res.code).to.equal(7)
      const doc = res.json<{error: {code: string; correlationId: string; message: string}}>()
      expectSchema(doc, 'error')
      expect(doc.error).to.include({code: 'NO_SEATS_AVAILABLE', correlationId: 'corr-409'})
      expect(doc.error.message).to.equal(`Assigning ${SKU} to ${LEE} failed: 10 of 10 seats are assigned; revoke one or buy more.`)
    })

    it('--dry-run: checks, reports "would assign", POSTs nothing', async () => {
      p = await fakePlatform({tty: true, columns: 160})
      checks(p.cluster, LEE, SKU)
      const res = await runCommand(LicenseAssign, ['--user', LEE, '--sku', SKU, '--dry-run'], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(res.stdout).to.match(/POWERAPPS_PER_USER +│ would assign \(dry run\) +│ 7 of 10/)
    })

    it('--dry-run still refuses when no seat is left (exit 7)', async () => {
      p = await fakePlatform()
      checks(p.cluster, LEE, SKU, {sku: {seats: seats(5, 5)}})
      const res = await runCommand(LicenseAssign, ['--user', LEE, '--sku', SKU, '--dry-run', '--json'], p)
      expect(res.code).to.equal(7)
      expect(res.json<{error: {code: string}}>().error.code).to.equal('NO_SEATS_AVAILABLE')
    })

    it('an unknown SKU: exit 6, the user is never looked up', async () => {
      p = await fakePlatform()
      p.cluster.get('/v1/licenses/skus/NOPE').reply(...problem(404, 'SKU_NOT_FOUND', 'No SKU NOPE.', 'corr-404'))
      const res = await runCommand(LicenseAssign, ['--user', LEE, '--sku', 'NOPE'], p)
      expect(res.code).to.equal(6)
      expect(res.stderr)
        .to.match(/^Error: No license SKU "NOPE" in contoso\.\n {2}Next: See the SKUs: ppctl license list\n/)
        .and.contain('corr-404')
    })

    it('403 on the POST: exit 5 with a next step', async () => {
      p = await fakePlatform()
      checks(p.cluster, LEE, SKU)
      posts(p.cluster, LEE, [problem(403, 'FORBIDDEN', 'Needs the Admin role.') as unknown as [number, unknown, Record<string, string>]])
      const res = await runCommand(LicenseAssign, ['--user', LEE, '--sku', SKU], p)
      expect(res.code).to.equal(5)
      expect(res.stderr).to.match(/^Error: Assigning POWERAPPS_PER_USER to lee\.gu@contoso\.example failed: Needs the Admin role\.\n {2}Next: /)
    })

    it('a POST answered 503 is retried with the same Idempotency-Key (one seat, one wait on the fake clock)', async () => {
      p = await fakePlatform()
      checks(p.cluster, LEE, SKU)
      const seen = posts(p.cluster, LEE, [
        [503, {}],
        [201, assignment(LEE, SKU, 4)],
      ])
      const res = await runCommand(LicenseAssign, ['--user', LEE, '--sku', SKU, '--json'], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(seen).to.have.length(2)
      expect(seen[1].key)
        .to.equal(seen[0].key)
        .and.equal(idempotencyKey(TENANT, LEE, SKU, 'assign'))
      expect(p.clock.sleeps).to.have.length(1)
      expect(res.json<Doc>().results[0]).to.include({outcome: 'assigned'})
    })

    it('429 on every POST: exit 9 after 4 attempts, all with the same key, honouring Retry-After', async () => {
      p = await fakePlatform()
      checks(p.cluster, LEE, SKU)
      const seen = posts(
        p.cluster,
        LEE,
        [0, 1, 2, 3].map(() => [429, {}, {'retry-after': '3'}] as [number, unknown, Record<string, string>]),
      )
      const res = await runCommand(LicenseAssign, ['--user', LEE, '--sku', SKU], p)
      expect(res.code).to.equal(9)
      expect(new Set(seen.map((s) => s.key))).to.have.property('size', 1)
      expect(seen).to.have.length(4)
      expect(p.clock.sleeps).to.deep.equal([3000, 3000, 3000])
      expect(res.stderr).to.match(/^Error: .*HTTP 429 to 4 attempts; it last asked to wait 3 s\.\n {2}Next: Wait 3 s/)
    })

    it('a replayed answer for a license revoked since: checked, then a new assignment under the next generation key', async () => {
      p = await fakePlatform()
      checks(p.cluster, LEE, SKU)
      const old = assignment(LEE, SKU, 4, {assignedAt: '2025-12-01T00:00:00Z'})
      const seen = posts(p.cluster, LEE, [[200, old, {'idempotent-replayed': 'true'}]])
      p.cluster.get(byId(LEE)).reply(200, licensesOf(LEE))
      posts(p.cluster, LEE, [[201, assignment(LEE, SKU, 4)]], seen)
      const res = await runCommand(LicenseAssign, ['--user', LEE, '--sku', SKU, '--json'], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(seen.map((s) => s.key)).to.deep.equal([
        idempotencyKey(TENANT, LEE, SKU, 'assign'),
        idempotencyKey(TENANT, LEE, SKU, 'assign', '2025-12-01T00:00:00Z'),
      ])
      expect(seen[0].key).not.to.equal(seen[1].key)
      expect(res.json<Doc>().results[0]).to.include({outcome: 'assigned'})
    })

    it('a replayed answer while the license is still held: "already assigned" with the seats read again', async () => {
      p = await fakePlatform()
      checks(p.cluster, LEE, SKU)
      posts(p.cluster, LEE, [[200, assignment(LEE, SKU, 4), {'idempotent-replayed': 'true'}]])
      p.cluster
        .get(byId(LEE))
        .reply(200, licensesOf(LEE, [held(SKU)]))
        .get(`/v1/licenses/skus/${SKU}`)
        .reply(200, sku(SKU, {seats: seats(10, 8)}))
      const res = await runCommand(LicenseAssign, ['--user', LEE, '--sku', SKU, '--json'], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(res.json<Doc>().results[0]).to.deep.equal({upn: LEE, sku: SKU, outcome: 'already-assigned', ok: true, seats: seats(10, 8)})
    })

    it('a platform that replays old answers every time: exit 1 IDEMPOTENCY_LOOP after 3 keys, not an endless loop', async () => {
      p = await fakePlatform()
      checks(p.cluster, LEE, SKU)
      const seen: Array<{key: string; body: unknown}> = []
      for (const at of ['2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z', '2025-03-01T00:00:00Z']) {
        posts(p.cluster, LEE, [[200, assignment(LEE, SKU, 4, {assignedAt: at}), {'idempotent-replayed': 'true'}]], seen)
        p.cluster.get(byId(LEE)).reply(200, licensesOf(LEE))
      }
      const res = await runCommand(LicenseAssign, ['--user', LEE, '--sku', SKU, '--json'], p)
      expect(res.code).to.equal(1)
      expect(new Set(seen.map((s) => s.key)).size).to.equal(3)
      expect(res.json<{error: {code: string; message: string}}>().error).to.deep.include({
        code: 'IDEMPOTENCY_LOOP',
        message: `Assigning ${SKU} to ${LEE} failed: the platform kept replaying old answers.`,
      })
    })

    it('a Retry-After beyond the cap: exit 9 at once, no wait, one POST', async () => {
      p = await fakePlatform()
      checks(p.cluster, LEE, SKU)
      const seen = posts(p.cluster, LEE, [[429, {}, {'retry-after': '600'}]])
      const res = await runCommand(LicenseAssign, ['--user', LEE, '--sku', SKU], p)
      expect(res.code).to.equal(9)
      expect(seen).to.have.length(1)
      expect(p.clock.sleeps).to.deep.equal([])
      expect(res.stderr).to.match(/asked to wait 600 s before trying again \(HTTP 429\)\.\n {2}Next: Wait 600 s and run the command again\.\n$/)
    })

    it('an answer that is not JSON: exit 9, stdout empty', async () => {
      p = await fakePlatform()
      p.cluster.get(`/v1/licenses/skus/${SKU}`).reply(200, '{"id":', {'content-type': 'application/json'})
      const res = await runCommand(LicenseAssign, ['--user', LEE, '--sku', SKU], p)
      expect(res.code).to.equal(9)
      expect(res.stdout).to.equal('')
      expect(res.stderr).to.match(/^Error: Reading license SKU POWERAPPS_PER_USER failed: the platform's answer is not valid JSON\./)
    })
  })

  describe('bad arguments: exit 2 before any request', () => {
    for (const [name, argv, message] of [
      ['nothing', [], /^Error: Give --user and --sku, or --file\.\n {2}Next: See: ppctl license assign --help\n$/],
      ['--user without --sku', ['--user', LEE], /--sku/],
      ['--sku without --user', ['--sku', SKU], /--user/],
      ['--file with --user and --sku', ['--file', 'x.csv', '--user', LEE, '--sku', SKU], /^Error: --(user|file) and --(user|file) cannot be used together\./],
    ] as const) {
      it(name, async () => {
        p = await fakePlatform()
        const res = await runCommand(LicenseAssign, [...argv], p)
        expect(res.code).to.equal(2)
        expect(res.stdout).to.equal('')
        expect(res.stderr).to.match(message)
      })
    }
  })

  describe('--file', () => {
    it('a result per row: failures do not stop the run, duplicates are named, exit 10 with the note on stderr; --json per row', async () => {
      p = await fakePlatform()
      const file = csvFile(
        p.dir,
        `upn,sku\n${LEE},${SKU}\nmegan@contoso.example,FULL_SKU\nghost@contoso.example,${SKU}\n${LEE.toUpperCase()},powerapps_per_user\nadele@contoso.example,${SKU}\nalex@contoso.example,${SKU}\n`,
      )
      skuList(p.cluster, sku(SKU), sku('FULL_SKU', {seats: seats(3, 3)}))
      postsByUpn(p.cluster, LEE, [[201, assignment(LEE, SKU, 4)]])
      postsByUpn(p.cluster, 'megan@contoso.example', [problem(409, 'NO_SEATS_AVAILABLE', 'All seats are assigned.', 'corr-full')])
      postsByUpn(p.cluster, 'ghost@contoso.example', [problem(404, 'USER_NOT_FOUND', 'No user ghost@contoso.example.', 'corr-ghost')])
      postsByUpn(p.cluster, 'adele@contoso.example', [problem(409, 'NO_SEATS_AVAILABLE', 'All seats are assigned.', 'corr-409')])
      postsByUpn(p.cluster, 'alex@contoso.example', [[200, assignment('alex@contoso.example', SKU, 4, {alreadyAssigned: true})]])
      const res = await runCommand(LicenseAssign, ['--file', file, '--json'], p)
      expect(res.code).to.equal(10)
      expect(res.stderr).to.equal('3 of 6 rows failed; the others are done, and running the file again is safe (exit 10).\n')
      const doc = res.json<Doc>()
      expectSchema(doc, 'license-assign')
      expect(doc).to.include({operation: 'assign', dryRun: false, failed: 3})
      expect(doc.results.map((r) => [r.line, r.upn, r.outcome, r.ok, r.error?.code, r.error?.exitCode])).to.deep.equal([
        [2, LEE, 'assigned', true, undefined, undefined],
        [3, 'megan@contoso.example', 'failed', false, 'NO_SEATS_AVAILABLE', 7],
        [4, 'ghost@contoso.example', 'failed', false, 'USER_NOT_FOUND', 6],
        [5, LEE.toUpperCase(), 'duplicate', true, undefined, undefined],
        [6, 'adele@contoso.example', 'failed', false, 'NO_SEATS_AVAILABLE', 7],
        [7, 'alex@contoso.example', 'already-assigned', true, undefined, undefined],
      ])
      expect(doc.results[3]).to.deep.equal({line: 5, upn: LEE.toUpperCase(), sku: 'powerapps_per_user', outcome: 'duplicate', ok: true, duplicateOf: 2})
      expect(doc.results[2].error).to.include({correlationId: 'corr-ghost'})
    })

    it('the table has a Line column, the failure reason and "duplicate of line N"; the note is on stderr', async () => {
      p = await fakePlatform({tty: true, columns: 200})
      const file = csvFile(p.dir, `upn,sku\n${LEE},${SKU}\nghost@contoso.example,${SKU}\n${LEE},${SKU}\n`, 'batch.csv')
      skuList(p.cluster, sku(SKU))
      postsByUpn(p.cluster, LEE, [[201, assignment(LEE, SKU, 4)]])
      postsByUpn(p.cluster, 'ghost@contoso.example', [problem(404, 'USER_NOT_FOUND', 'No such user.')])
      const res = await runCommand(LicenseAssign, ['--file', file], p)
      expect(res.code).to.equal(10)
      expect(res.stdout).to.match(/Line +│ User +│ SKU +│ Result +│ Seats left/)
      expect(res.stdout).to.match(/ 2 +│ lee\.gu@contoso\.example +│ POWERAPPS_PER_USER +│ assigned +│ 6 of 10/)
      expect(res.stdout).to.match(/ 3 +│ ghost@contoso\.example +│ POWERAPPS_PER_USER +│ failed: No user "ghost@contoso\.example" in contoso\. +│/)
      expect(res.stdout).to.match(/ 4 +│ lee\.gu@contoso\.example +│ POWERAPPS_PER_USER +│ duplicate of line 2 +│/)
      expect(res.stdout).not.to.contain('rows failed')
      expect(res.stderr).to.equal('1 of 3 rows failed; the others are done, and running the file again is safe (exit 10).\n')
    })

    it('every row done: exit 0, no note; a BOM, CRLF, quoted fields, other columns and any column order are read', async () => {
      p = await fakePlatform()
      const file = csvFile(p.dir, `\ufeffnote,SKU,UPN\r\n"says ""hi"", twice",${SKU},${LEE}\r\n\r\n"two\r\nlines", FLOW_FREE ,"megan@contoso.example"\r\n\r\n`)
      skuList(p.cluster, sku(SKU), sku('FLOW_FREE'))
      postsByUpn(p.cluster, LEE, [[201, assignment(LEE, SKU, 4)]])
      postsByUpn(p.cluster, 'megan@contoso.example', [[200, assignment('megan@contoso.example', 'FLOW_FREE', 4, {alreadyAssigned: true})]])
      const res = await runCommand(LicenseAssign, ['--file', file, '--json'], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(res.stderr).to.equal('')
      expect(res.json<Doc>().results.map((r) => [r.line, r.upn, r.sku, r.outcome])).to.deep.equal([
        [2, LEE, SKU, 'assigned'],
        [4, 'megan@contoso.example', 'FLOW_FREE', 'already-assigned'],
      ])
    })

    it('429 on a row through every retry: that row fails with exit code 9, the next row still runs', async () => {
      p = await fakePlatform()
      const file = csvFile(p.dir, `upn,sku\n${LEE},${SKU}\nmegan@contoso.example,${SKU}\n`)
      skuList(p.cluster, sku(SKU))
      postsByUpn(
        p.cluster,
        LEE,
        [0, 1, 2, 3].map(() => [429, '', {'x-correlation-id': 'corr-429'}] as const),
      )
      postsByUpn(p.cluster, 'megan@contoso.example', [[201, assignment('megan@contoso.example', SKU, 4)]])
      const res = await runCommand(LicenseAssign, ['--file', file, '--json', '--concurrency', '1'], p)
      expect(res.code).to.equal(10)
      const [first, second] = res.json<Doc>().results
      expect(first).to.include({line: 2, outcome: 'failed', ok: false})
      expect(first.error).to.include({code: 'THROTTLED', exitCode: 9, correlationId: 'corr-429'})
      expect(second).to.include({line: 3, outcome: 'assigned', ok: true})
      expect(p.clock.sleeps).to.have.length(3)
    })

    it('--dry-run over a file: "would assign" per row, read with one lookup for the page of rows, no assignment POST', async () => {
      p = await fakePlatform()
      const ghost = 'ghost@contoso.example'
      const file = csvFile(p.dir, `upn,sku\n${LEE},${SKU}\n${ghost},${SKU}\n${MEGAN},${SKU}\n`)
      skuList(p.cluster, sku(SKU))
      p.cluster
        .post('/v1/licenses/lookup', {users: [LEE, ghost, MEGAN]})
        .matchHeader('idempotency-key', /.+/)
        .reply(200, {
          count: 3,
          items: [
            {user: LEE, found: true, ...licensesOf(LEE)},
            {user: ghost, found: false},
            {user: MEGAN, found: true, ...licensesOf(MEGAN, [held(SKU)])},
          ],
        })
      const res = await runCommand(LicenseAssign, ['--file', file, '--dry-run', '--json'], p)
      expect(res.code, res.stderr).to.equal(10)
      expectSchema(res.json(), 'license-assign')
      const doc = res.json<Doc>()
      expect(doc).to.include({operation: 'assign', dryRun: true, failed: 1})
      expect(doc.results[0]).to.deep.equal({line: 2, upn: LEE, sku: SKU, outcome: 'would-assign', ok: true, seats: seats(10, 4)})
      expect(doc.results[1]).to.deep.include({line: 3, upn: ghost, sku: SKU, outcome: 'failed', ok: false})
      expect(doc.results[1].error).to.deep.include({code: 'USER_NOT_FOUND', exitCode: 6})
      expect(doc.results[2]).to.deep.equal({line: 4, upn: MEGAN, sku: SKU, outcome: 'already-assigned', ok: true, seats: seats(10, 4)})
    })

    it('--dry-run: a lookup the platform refuses fails each row of its page with that error', async () => {
      p = await fakePlatform()
      const file = csvFile(p.dir, `upn,sku\n${LEE},${SKU}\n${MEGAN},${SKU}\n`)
      skuList(p.cluster, sku(SKU))
      p.cluster.post('/v1/licenses/lookup').reply(...problem(403, 'ROLE_FORBIDDEN', 'Your role does not allow this'))
      const res = await runCommand(LicenseAssign, ['--file', file, '--dry-run', '--json'], p)
      expect(res.code).to.equal(10)
      const doc = res.json<Doc>()
      expect(doc.results.map((r) => [r.line, r.outcome, r.error?.code])).to.deep.equal([
        [2, 'failed', 'ROLE_FORBIDDEN'],
        [3, 'failed', 'ROLE_FORBIDDEN'],
      ])
    })

    it('escape and bidi characters from the file and the platform are inert in the table', async () => {
      p = await fakePlatform({tty: true, columns: 200})
      const evilUpn = `x${EVIL}@contoso.example`
      const file = csvFile(p.dir, `upn,sku\n${evilUpn},${SKU}\n`)
      skuList(p.cluster, sku(SKU))
      postsByUpn(p.cluster, evilUpn, [problem(404, 'NOT_FOUND', `No user ${EVIL}`)])
      const res = await runCommand(LicenseAssign, ['--file', file], p)
      expect(res.code).to.equal(10)
      expect(res.stdout).to.contain('failed: Assigning POWERAPPS_PER_USER to')
      expect(res.stdout).not.to.match(TERMINAL_CONTROL)
      expect(res.stderr).not.to.match(TERMINAL_CONTROL)
    })

    it('…and the row is exact in --json (the UPN as the file gave it)', async () => {
      p = await fakePlatform({tty: true})
      const evilUpn = `x${EVIL}@contoso.example`
      const file = csvFile(p.dir, `upn,sku\n${evilUpn},${SKU}\n`)
      skuList(p.cluster, sku(SKU))
      postsByUpn(p.cluster, evilUpn, [problem(404, 'USER_NOT_FOUND', 'No such user.')])
      const res = await runCommand(LicenseAssign, ['--file', file, '--json'], p)
      expect(res.code).to.equal(10)
      expect(res.stdout).not.to.match(TERMINAL_CONTROL)
      expect(res.json<Doc>().results[0].upn).to.equal(evilUpn)
    })

    it('bad rows are rows: a missing or bad field fails that row with its line and reason (exit 10), every other row runs', async () => {
      p = await fakePlatform()
      const text = `upn,sku\nmegan@contoso.example,  \n${LEE},${SKU}\n,${SKU}\nnot-a-user,${SKU}\nadele@contoso.example,${SKU}\n"open@contoso.example,${SKU}\nlost@contoso.example,${SKU}\n`
      skuList(p.cluster, sku(SKU))
      postsByUpn(p.cluster, LEE, [[201, assignment(LEE, SKU, 4)]])
      postsByUpn(p.cluster, 'adele@contoso.example', [[201, assignment('adele@contoso.example', SKU, 5)]])
      const res = await runCommand(LicenseAssign, ['--file', csvFile(p.dir, text), '--json'], p)
      expect(res.code).to.equal(10)
      const doc = res.json<Doc>()
      expectSchema(doc, 'license-assign')
      expect(doc.failed).to.equal(4)
      expect(doc.results.map((r) => [r.line, r.outcome, r.error?.code, r.error?.exitCode, r.error?.message])).to.deep.equal([
        [2, 'failed', 'CSV_ROW', 2, 'users.csv: line 2: sku is empty.'],
        [3, 'assigned', undefined, undefined, undefined],
        [4, 'failed', 'CSV_ROW', 2, 'users.csv: line 4: upn is empty.'],
        [5, 'failed', 'CSV_ROW', 2, 'users.csv: line 5: upn "not-a-user" is not a user name (name@domain).'],
        [6, 'assigned', undefined, undefined, undefined],
        [7, 'failed', 'CSV_ROW', 2, 'users.csv: line 7: a quoted field is not closed (the rest of the file is part of it).'],
      ])
    })

    describe('a bad file: exit 2 before any request, one line naming the file, the row and the field', () => {
      for (const [name, text, message] of [
        [
          'no header',
          `${LEE},${SKU}\n`,
          'Error: users.csv: the first line must be a header with the columns upn and sku.\n  Next: Start the file with: upn,sku\n',
        ],
        [
          'a header without sku',
          'upn,licence\nlee,X\n',
          'Error: users.csv: the first line must be a header with the columns upn and sku.\n  Next: Start the file with: upn,sku\n',
        ],
        ['an empty file', '', 'Error: users.csv: the first line must be a header with the columns upn and sku.\n  Next: Start the file with: upn,sku\n'],
      ] as const) {
        it(name, async () => {
          p = await fakePlatform()
          const res = await runCommand(LicenseAssign, ['--file', csvFile(p.dir, text)], p)
          expect(res.code).to.equal(2)
          expect(res.stdout).to.equal('')
          expect(res.stderr).to.equal(message)
        })
      }

      it('a folder given as the file', async () => {
        p = await fakePlatform()
        const res = await runCommand(LicenseAssign, ['--file', p.dir], p)
        expect(res.code).to.equal(2)
        expect(res.stderr).to.match(/^Error: ppctl-test-\w+: cannot be read \(EISDIR\)\.\n {2}Next: Check the path given to --file\.\n$/)
      })

      it('a file that cannot be read', async () => {
        p = await fakePlatform()
        const res = await runCommand(LicenseAssign, ['--file', `${p.dir}/missing.csv`, '--json'], p)
        expect(res.code).to.equal(2)
        expect(res.json()).to.deep.equal({
          error: {code: 'FILE_UNREADABLE', message: 'missing.csv: cannot be read (ENOENT).', exitCode: 2, nextStep: 'Check the path given to --file.'},
        })
      })
    })
  })
})
