// `ppctl license revoke` in-process: the confirmation (terminal or --yes), one user or a CSV file, Idempotency-Keys, partial runs.
import {expect} from 'chai'
import type nock from 'nock'
import type {PassThrough} from 'node:stream'

import LicenseRevoke from '../../../src/commands/license/revoke.js'
import {idempotencyKey} from '../../../src/lib/platform/licenses.js'
import {runCommand} from '../../helpers/command.js'
import {fakePlatform, problem, TENANT, type FakePlatform} from '../../helpers/fake-platform.js'
import {csvFile, EVIL, expectSchema, held, licensesOf, seats, sku, TERMINAL_CONTROL, user} from '../../helpers/license-fixtures.js'

const LEE = 'lee.gu@contoso.example'
const SKU = 'POWERAPPS_PER_USER'
const ASSIGNED_AT = '2025-11-12T13:14:15Z'
const byUpn = (upn: string) => `/v1/users/${encodeURIComponent(upn)}/licenses`
const revocation = (upn: string, skuId: string, consumed: number) => ({userId: user(upn).id, skuId, revoked: true, seats: seats(10, consumed)})

/** The checks every revocation makes first: the SKU, then what the user holds (by default: the SKU, since ASSIGNED_AT). */
function checks(scope: nock.Scope, upn: string, skuId: string, holds: unknown[] = [held(skuId, {assignedAt: ASSIGNED_AT})]) {
  return scope.get(`/v1/licenses/skus/${skuId}`).reply(200, sku(skuId)).get(byUpn(upn)).reply(200, licensesOf(upn, holds))
}

/** A file run: the SKUs, read once, then per row what the user holds. */
const skuList = (scope: nock.Scope, ...ids: string[]) => scope.get('/v1/licenses/skus').reply(200, {items: ids.map((id) => sku(id)), nextCursor: null})
const holdings = (scope: nock.Scope, upn: string, holds: unknown[] = [held(SKU, {assignedAt: ASSIGNED_AT})]) =>
  scope.get(byUpn(upn)).reply(200, licensesOf(upn, holds))

/** DELETE answers in order; the Idempotency-Key of each request is recorded. */
function deletes(scope: nock.Scope, upn: string, skuId: string, answers: Array<readonly [number, unknown, Record<string, string>?]>, keys: string[] = []) {
  for (const [status, body, headers] of answers) {
    scope.delete(`/v1/users/${user(upn).id}/licenses/${skuId}`).reply(function () {
      keys.push(String(this.req.headers['idempotency-key']))
      return [status, body as nock.Body, {'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers}]
    })
  }
  return keys
}

/** Runs the command at a (fake) terminal, answering its question with `answer`. */
async function atTerminal(p: FakePlatform, argv: string[], answer: string) {
  const run = runCommand(LicenseRevoke, argv, p)
  // The answer waits in stdin (fakeIO's is a PassThrough) until the prompt reads it.
  const stdin = p.io.io.stdin as PassThrough
  stdin.write(answer)
  return run
}

type Doc = {operation: string; dryRun: boolean; failed: number; results: Array<Record<string, unknown> & {error?: {code: string; exitCode: number}}>}

describe('license revoke (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  describe('the confirmation', () => {
    it('without a terminal and without --yes: exit 2 with the next step, before any request', async () => {
      p = await fakePlatform()
      const res = await runCommand(LicenseRevoke, ['--user', LEE, '--sku', SKU], p)
      expect(res.code).to.equal(2)
      expect(res.stdout).to.equal('')
      expect(res.stderr).to.equal('Error: No terminal to ask on, and --yes was not given.\n  Next: Pass --yes.\n')
    })

    it('…the same for a file, under --json: the error document', async () => {
      p = await fakePlatform()
      const file = csvFile(p.dir, `upn,sku\n${LEE},${SKU}\n`)
      const res = await runCommand(LicenseRevoke, ['--file', file, '--json'], p)
      expect(res.code).to.equal(2)
      expectSchema(res.json(), 'error')
      expect(res.json()).to.deep.equal({
        error: {code: 'ANSWER_REQUIRED', message: 'No terminal to ask on, and --yes was not given.', exitCode: 2, nextStep: 'Pass --yes.'},
      })
    })

    it('CI=true counts as no terminal even when the streams are one', async () => {
      p = await fakePlatform({tty: true, env: {CI: 'true'}})
      const res = await runCommand(LicenseRevoke, ['--user', LEE, '--sku', SKU], p)
      expect(res.code).to.equal(2)
      expect(res.stderr).to.contain('--yes was not given')
    })

    it('at a terminal it asks, naming the SKU and the user; "y" revokes', async () => {
      p = await fakePlatform({tty: true, columns: 160})
      checks(p.cluster, LEE, SKU)
      deletes(p.cluster, LEE, SKU, [[200, revocation(LEE, SKU, 2)]])
      const res = await atTerminal(p, ['--user', LEE, '--sku', SKU], 'y\n')
      expect(res.code, res.stderr).to.equal(0)
      expect(res.stderr).to.contain(`Revoke ${SKU} from ${LEE}? The users lose what the`)
      expect(res.stdout).to.match(/lee\.gu@contoso\.example +│ POWERAPPS_PER_USER +│ revoked +│ 8 of 10/)
    })

    it('at a terminal, the default answer (no): exit 3, "Cancelled", nothing asked of the platform', async () => {
      p = await fakePlatform({tty: true})
      const res = await atTerminal(p, ['--user', LEE, '--sku', SKU], '\n')
      expect(res.code).to.equal(3)
      expect(res.stdout).to.equal('')
      expect(res.stderr).to.match(/Error: Cancelled; nothing was changed\.\n$/)
    })

    it('for a file, the question counts the rows and names the file', async () => {
      p = await fakePlatform({tty: true})
      const file = csvFile(p.dir, `upn,sku\n${LEE},${SKU}\nmegan@contoso.example,${SKU}\n`, 'leavers.csv')
      const res = await atTerminal(p, ['--file', file], 'n\n')
      expect(res.code).to.equal(3)
      // The question wraps at the prompt's width; the temp folder's path may be long.
      expect(res.stderr).to.contain('Revoke 2 licenses listed in ').and.contain('leavers.csv?')
    })

    it('--dry-run never asks, even without a terminal, and DELETEs nothing', async () => {
      p = await fakePlatform()
      checks(p.cluster, LEE, SKU)
      const res = await runCommand(LicenseRevoke, ['--user', LEE, '--sku', SKU, '--dry-run', '--json'], p)
      expect(res.code, res.stderr).to.equal(0)
      expectSchema(res.json(), 'license-revoke')
      expect(res.json()).to.deep.equal({
        operation: 'revoke',
        dryRun: true,
        failed: 0,
        results: [{upn: LEE, sku: SKU, outcome: 'would-revoke', ok: true, seats: seats(10, 3)}],
      })
    })

    it('a bad file is reported (exit 2) before the question', async () => {
      p = await fakePlatform({tty: true})
      const res = await runCommand(LicenseRevoke, ['--file', csvFile(p.dir, 'user,licence\n'), '--yes'], p)
      expect(res.code).to.equal(2)
      expect(res.stderr).to.equal('Error: users.csv: the first line must be a header with the columns upn and sku.\n  Next: Start the file with: upn,sku\n')
    })
  })

  describe('one user, --yes', () => {
    it('DELETEs by user id with the Idempotency-Key of that assignment; --json matches schemas/license-revoke.json', async () => {
      p = await fakePlatform()
      checks(p.cluster, LEE, SKU)
      const keys = deletes(p.cluster, LEE, SKU, [[200, revocation(LEE, SKU, 2)]])
      const res = await runCommand(LicenseRevoke, ['--user', LEE, '--sku', SKU, '--yes', '--json'], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(res.stderr).to.equal('')
      expect(keys).to.deep.equal([idempotencyKey(TENANT, LEE, SKU, 'revoke', ASSIGNED_AT)])
      expect(keys[0]).to.match(/^ppctl-revoke-[\w-]{43}$/)
      expectSchema(res.json(), 'license-revoke')
      expect(res.json()).to.deep.equal({
        operation: 'revoke',
        dryRun: false,
        failed: 0,
        results: [{upn: LEE, sku: SKU, outcome: 'revoked', ok: true, seats: seats(10, 2)}],
      })
    })

    it('a user who does not hold the SKU: "not assigned", no DELETE, exit 0', async () => {
      p = await fakePlatform({tty: true, columns: 160})
      checks(p.cluster, LEE, SKU, [held('FLOW_FREE')])
      const res = await runCommand(LicenseRevoke, ['--user', LEE, '--sku', SKU, '-y'], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(res.stdout).to.match(/POWERAPPS_PER_USER +│ not assigned \(nothing to revoke\) +│ 7 of 10/)
    })

    it('a DELETE answered 502 is retried with the same Idempotency-Key', async () => {
      p = await fakePlatform()
      checks(p.cluster, LEE, SKU)
      const keys = deletes(p.cluster, LEE, SKU, [
        [502, {}],
        [200, revocation(LEE, SKU, 2)],
      ])
      const res = await runCommand(LicenseRevoke, ['--user', LEE, '--sku', SKU, '--yes'], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(keys).to.have.length(2)
      expect(keys[0]).to.equal(keys[1])
      expect(p.clock.sleeps).to.have.length(1)
    })

    it('revoked by someone else between the check and the DELETE (404 LICENSE_NOT_ASSIGNED): "not assigned", exit 0, seats read again', async () => {
      p = await fakePlatform()
      checks(p.cluster, LEE, SKU)
      deletes(p.cluster, LEE, SKU, [problem(404, 'LICENSE_NOT_ASSIGNED', `${LEE} does not hold ${SKU}`)])
      p.cluster.get(`/v1/licenses/skus/${SKU}`).reply(200, sku(SKU, {seats: seats(10, 2)}))
      const res = await runCommand(LicenseRevoke, ['--user', LEE, '--sku', SKU, '--yes', '--json'], p)
      expect(res.code, res.stdout).to.equal(0)
      expect(res.json<Doc>().results).to.deep.equal([{upn: LEE, sku: SKU, outcome: 'not-assigned', ok: true, seats: seats(10, 2)}])
    })

    it('any other 404 on the DELETE (the user is gone) is still a failure: exit 6', async () => {
      p = await fakePlatform()
      checks(p.cluster, LEE, SKU)
      deletes(p.cluster, LEE, SKU, [problem(404, 'USER_NOT_FOUND', 'No such user.')])
      const res = await runCommand(LicenseRevoke, ['--user', LEE, '--sku', SKU, '--yes'], p)
      expect(res.code).to.equal(6)
      expect(res.stderr).to.match(/^Error: Revoking POWERAPPS_PER_USER from lee\.gu@contoso\.example failed: No such user\./)
    })

    it('403 on the DELETE: exit 5 with the platform code', async () => {
      p = await fakePlatform()
      checks(p.cluster, LEE, SKU)
      deletes(p.cluster, LEE, SKU, [problem(403, 'FORBIDDEN', 'Needs the Admin role.', 'corr-403')])
      const res = await runCommand(LicenseRevoke, ['--user', LEE, '--sku', SKU, '--yes', '--json'], p)
      expect(res.code).to.equal(5)
      expect(res.json<{error: Record<string, unknown>}>().error).to.include({code: 'FORBIDDEN', exitCode: 5, correlationId: 'corr-403'})
    })

    it('an unknown user: exit 6', async () => {
      p = await fakePlatform()
      p.cluster
        .get(`/v1/licenses/skus/${SKU}`)
        .reply(200, sku(SKU))
        .get(byUpn('ghost@contoso.example'))
        .reply(...problem(404, 'USER_NOT_FOUND', 'No such user.'))
      const res = await runCommand(LicenseRevoke, ['--user', 'ghost@contoso.example', '--sku', SKU, '--yes'], p)
      expect(res.code).to.equal(6)
      expect(res.stderr).to.match(/^Error: No user "ghost@contoso\.example" in contoso\./)
    })

    it('429 on every DELETE: exit 9 after 4 attempts, one key', async () => {
      p = await fakePlatform()
      checks(p.cluster, LEE, SKU)
      const keys = deletes(
        p.cluster,
        LEE,
        SKU,
        [0, 1, 2, 3].map(() => [429, {}] as const),
      )
      const res = await runCommand(LicenseRevoke, ['--user', LEE, '--sku', SKU, '--yes'], p)
      expect(res.code).to.equal(9)
      expect(keys).to.have.length(4)
      expect(new Set(keys).size).to.equal(1)
      expect(p.clock.sleeps).to.have.length(3)
    })

    it('a DELETE answer that is not JSON: exit 9', async () => {
      p = await fakePlatform()
      checks(p.cluster, LEE, SKU)
      deletes(p.cluster, LEE, SKU, [[200, '{"seats":']])
      const res = await runCommand(LicenseRevoke, ['--user', LEE, '--sku', SKU, '--yes'], p)
      expect(res.code).to.equal(9)
      expect(res.stderr).to.match(/^Error: Revoking POWERAPPS_PER_USER from lee\.gu@contoso\.example failed: the platform's answer is not valid JSON\./)
    })

    for (const [name, argv, message] of [
      ['nothing', ['--yes'], /^Error: Give --user and --sku, or --file\.\n {2}Next: See: ppctl license revoke --help\n$/],
      ['--user without --sku', ['--user', LEE, '--yes'], /--sku/],
      ['--file with --sku', ['--file', 'x.csv', '--sku', SKU, '--yes'], /^Error: --(sku|file) and --(sku|file) cannot be used together\./],
    ] as const) {
      it(`bad arguments (${name}): exit 2 before any request`, async () => {
        p = await fakePlatform()
        const res = await runCommand(LicenseRevoke, [...argv], p)
        expect(res.code).to.equal(2)
        expect(res.stdout).to.equal('')
        expect(res.stderr).to.match(message)
      })
    }
  })

  describe('--file', () => {
    it('a result per row, past failures: exit 10, the note on stderr, per-row results in --json', async () => {
      p = await fakePlatform()
      const file = csvFile(
        p.dir,
        `upn,sku\n${LEE},${SKU}\nghost@contoso.example,${SKU}\nmegan@contoso.example,${SKU}\n${LEE},${SKU}\nadele@contoso.example,${SKU}\n`,
        'leavers.csv',
      )
      skuList(p.cluster, SKU)
      holdings(p.cluster, LEE)
      deletes(p.cluster, LEE, SKU, [[200, revocation(LEE, SKU, 2)]])
      p.cluster.get(byUpn('ghost@contoso.example')).reply(...problem(404, 'USER_NOT_FOUND', 'No such user.', 'corr-ghost'))
      holdings(p.cluster, 'megan@contoso.example', [])
      holdings(p.cluster, 'adele@contoso.example')
      deletes(
        p.cluster,
        'adele@contoso.example',
        SKU,
        [0, 1, 2, 3].map(() => [429, {}] as const),
      )
      const res = await runCommand(LicenseRevoke, ['--file', file, '--yes', '--json'], p)
      expect(res.code).to.equal(10)
      expect(res.stderr).to.equal('2 of 5 rows failed; the others are done, and running the file again is safe (exit 10).\n')
      const doc = res.json<Doc>()
      expectSchema(doc, 'license-revoke')
      expect(doc).to.include({operation: 'revoke', dryRun: false, failed: 2})
      expect(doc.results.map((r) => [r.line, r.upn, r.outcome, r.ok, r.error?.code, r.error?.exitCode])).to.deep.equal([
        [2, LEE, 'revoked', true, undefined, undefined],
        [3, 'ghost@contoso.example', 'failed', false, 'USER_NOT_FOUND', 6],
        [4, 'megan@contoso.example', 'not-assigned', true, undefined, undefined],
        [5, LEE, 'duplicate', true, undefined, undefined],
        [6, 'adele@contoso.example', 'failed', false, 'THROTTLED', 9],
      ])
      expect(doc.results[3]).to.include({duplicateOf: 2})
    })

    it('at a terminal, after "y": the table with line numbers on stdout, the partial note on stderr, exit 10', async () => {
      p = await fakePlatform({tty: true, columns: 200})
      const file = csvFile(p.dir, `upn,sku\n${LEE},${SKU}\nghost@contoso.example,${SKU}\n`, 'leavers.csv')
      skuList(p.cluster, SKU)
      holdings(p.cluster, LEE)
      deletes(p.cluster, LEE, SKU, [[200, revocation(LEE, SKU, 2)]])
      p.cluster.get(byUpn('ghost@contoso.example')).reply(...problem(404, 'USER_NOT_FOUND', `No user ${EVIL}`))
      const res = await atTerminal(p, ['--file', file], 'y\n')
      expect(res.code).to.equal(10)
      expect(res.stdout).to.match(/Line +│ User +│ SKU +│ Result +│ Seats left/)
      expect(res.stdout).to.match(/ 2 +│ lee\.gu@contoso\.example +│ POWERAPPS_PER_USER +│ revoked +│ 8 of 10/)
      expect(res.stdout).to.match(/ 3 +│ ghost@contoso\.example +│ POWERAPPS_PER_USER +│ failed: No user "ghost@contoso\.example" in contoso\./)
      expect(res.stdout).not.to.match(TERMINAL_CONTROL)
      expect(res.stderr).to.match(/1 of 2 rows failed; the others are done, and running the file again is safe \(exit 10\)\.\n$/)
    })
  })
})
