// `ppctl connector create` in-process: the definition checked before anything is sent, the POST, --json, errors.
import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import ConnectorCreate from '../../../src/commands/connector/create.js'
import {runCommand} from '../../helpers/command.js'
import {fakePlatform, problem, type FakePlatform} from '../../helpers/fake-platform.js'
import {ACTIVE, HOSTILE, connector, jsonAgainst} from '../../helpers/connector-fixtures.js'

const created = (over: Record<string, unknown> = {}) =>
  connector('custom_orders-api-1a2b3c', {
    tier: 'custom',
    displayName: 'Orders API',
    description: 'Orders of the shop',
    createdBy: 'admin@contoso.example',
    ...over,
  })

describe('connector create (in-process)', () => {
  let p: FakePlatform
  let dir: string
  /** A definition file with this content; its path. */
  const file = (content: string, name = 'orders.json') => {
    const path = join(dir, name)
    writeFileSync(path, content)
    return path
  }
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ppctl-connector-create-'))))
  afterEach(() => {
    rmSync(dir, {recursive: true, force: true})
    p.done()
  })

  it('sends the definition (name trimmed) and says what the platform created', async () => {
    p = await fakePlatform({tty: true})
    p.cluster
      .post('/v1/connectors', {displayName: 'Orders API', description: 'Orders of the shop'})
      .matchHeader('content-type', 'application/json')
      .reply(201, created())
    const res = await runCommand(ConnectorCreate, ['--file', file('{"displayName": "  Orders API ", "description": "Orders of the shop"}')], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.equal('')
    expect(res.stdout).to.equal('Created custom connector Orders API (custom_orders-api-1a2b3c).\n')
  })

  it('--json: the new connector as the schema says (not a terminal); a BOM and no description are fine', async () => {
    p = await fakePlatform()
    p.cluster
      .post('/v1/connectors', (body: Record<string, unknown>) => JSON.stringify(body) === '{"displayName":"Orders API"}')
      .reply(201, created({description: ''}))
    const res = await runCommand(ConnectorCreate, ['--file', file('\uFEFF{"displayName": "Orders API"}'), '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.equal('')
    expect(jsonAgainst(res, 'connector-create')).to.deep.equal(created({description: ''}))
  })

  for (const [what, content, message] of [
    ['not JSON', '{"displayName": ', /^Error: orders\.json: the file is not valid JSON \(/],
    ['an array', '[]', /^Error: orders\.json: the file must hold a JSON object\./],
    ['an unknown field', '{"displayName": "A", "swagger": {}}', /^Error: orders\.json: "swagger" is not a known field \(displayName, description\)\./],
    ['no displayName', '{"description": "x"}', /^Error: orders\.json: "displayName" is required and must be a string\./],
    ['a displayName with a control character', '{"displayName": "A\\u001b[2J"}', /^Error: orders\.json: "displayName" must be 1–80 letters/],
    ['a displayName over 80 characters', JSON.stringify({displayName: 'a'.repeat(81)}), /"displayName" must be 1–80/],
    ['a description that is not a string', '{"displayName": "A", "description": 5}', /"description" must be a string\./],
    ['a description over 500 characters', JSON.stringify({displayName: 'A', description: 'd'.repeat(501)}), /"description" must be at most 500 characters\./],
  ] as const) {
    it(`a definition with ${what}: exit 2 naming the file and the field, nothing sent`, async () => {
      p = await fakePlatform()
      const res = await runCommand(ConnectorCreate, ['--file', file(content)], p)
      expect(res.code).to.equal(2)
      expect(res.stdout).to.equal('')
      expect(res.stderr).to.match(message).and.contain('Next: A definition is {"displayName": "My API", "description": "What it does"}.')
      expect(res.stderr).not.to.match(ACTIVE)
    })
  }

  it('a file that cannot be read: exit 2 with its name and the reason, --json error schema', async () => {
    p = await fakePlatform()
    const res = await runCommand(ConnectorCreate, ['--file', join(dir, 'missing.json'), '--json'], p)
    expect(res.code).to.equal(2)
    expect(jsonAgainst<{error: Record<string, unknown>}>(res, 'error').error).to.deep.equal({
      code: 'FILE_UNREADABLE',
      message: 'missing.json: cannot be read (ENOENT).',
      exitCode: 2,
      nextStep: 'Check the path given to --file.',
    })
  })

  it('no --file: exit 2 before anything is read or sent', async () => {
    p = await fakePlatform()
    const res = await runCommand(ConnectorCreate, [], p)
    expect(res.code).to.equal(2)
    expect(res.stderr).to.match(/^Error: ppctl connector create needs --file\.\n {2}Next: ppctl connector create --file FILE/)
  })

  for (const [status, code, exit] of [
    [400, 'BAD_REQUEST', 2],
    [403, 'FORBIDDEN', 5],
    [409, 'CONNECTOR_EXISTS', 7],
    [422, 'UNPROCESSABLE', 7],
    [500, 'INTERNAL', 9],
  ] as const) {
    it(`the platform answers ${status} ${code}: exit ${exit} with its code and detail`, async () => {
      p = await fakePlatform()
      p.cluster.post('/v1/connectors').reply(...problem(status, code, `Refused with ${code}.`, `corr-${status}`))
      const res = await runCommand(ConnectorCreate, ['--file', file('{"displayName": "Orders API"}'), '--json'], p)
      expect(res.code).to.equal(exit)
      expect(jsonAgainst<{error: Record<string, unknown>}>(res, 'error').error).to.include({
        code,
        exitCode: exit,
        message: `Creating connector "Orders API" failed: Refused with ${code}.`,
        correlationId: `corr-${status}`,
      })
    })
  }

  it('429 then 201: retried on the fake clock with the same Idempotency-Key, so one connector is made', async () => {
    p = await fakePlatform()
    const keys: string[] = []
    const key = (value: string) => (keys.push(value), /^[\x21-\x7e]{1,255}$/.test(value))
    p.cluster
      .post('/v1/connectors')
      .matchHeader('idempotency-key', key)
      .reply(429, {code: 'THROTTLED'}, {'content-type': 'application/problem+json', 'retry-after': '1'})
      .post('/v1/connectors')
      .matchHeader('idempotency-key', key)
      .reply(201, created())
    const res = await runCommand(ConnectorCreate, ['--file', file('{"displayName": "Orders API"}'), '--json'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(p.clock.sleeps).to.deep.equal([1000])
    expect(new Set(keys).size, `keys sent: ${keys.join(', ')}`).to.equal(1)
    expect(res.json()).to.include({id: 'custom_orders-api-1a2b3c'})
  })

  it('two runs send different Idempotency-Keys (a second create is a new connector, not a replay)', async () => {
    p = await fakePlatform()
    const keys: string[] = []
    p.cluster
      .post('/v1/connectors')
      .times(2)
      .matchHeader('idempotency-key', (v) => Boolean(keys.push(v)))
      .reply(201, created())
    const definition = file('{"displayName": "Orders API"}')
    expect((await runCommand(ConnectorCreate, ['--file', definition], p)).code).to.equal(0)
    const q = await fakePlatform()
    expect((await runCommand(ConnectorCreate, ['--file', definition], q)).code).to.equal(0)
    q.cleanup()
    expect(new Set(keys).size, `keys sent: ${keys.join(', ')}`).to.equal(2)
  })

  it('the answer is not JSON: exit 9 MALFORMED_RESPONSE', async () => {
    p = await fakePlatform()
    p.cluster.post('/v1/connectors').reply(201, 'Created!', {'content-type': 'text/plain'})
    const res = await runCommand(ConnectorCreate, ['--file', file('{"displayName": "Orders API"}')], p)
    expect(res.code).to.equal(9)
    expect(res.stderr).to.match(/^Error: Creating connector "Orders API" failed: the platform's answer is not valid JSON\./)
  })

  it('platform text is inert in the human line and exact in --json', async () => {
    p = await fakePlatform({tty: true})
    p.cluster
      .post('/v1/connectors')
      .times(2)
      .reply(201, created({displayName: HOSTILE, description: HOSTILE}))
    const definition = file('{"displayName": "Orders API"}')
    const human = await runCommand(ConnectorCreate, ['--file', definition], p)
    expect(human.code, human.stderr).to.equal(0)
    expect(human.stdout).not.to.match(ACTIVE)
    expect(human.stdout).to.match(/^Created custom connector Evil.* end \(custom_orders-api-1a2b3c\)\.\n$/)
    const q = await fakePlatform({tty: true})
    const json = await runCommand(ConnectorCreate, ['--file', definition, '--json'], q)
    q.cleanup()
    expect(json.stdout).not.to.match(ACTIVE)
    expect(json.json()).to.include({displayName: HOSTILE, description: HOSTILE})
  })
})
