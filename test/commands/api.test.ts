// `ppctl api` in-process: paths, methods, bodies from fields and --input, header refusals, -i, --paginate, --tenant, --global, retries, 421 and exit codes.
import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {PassThrough} from 'node:stream'

import nock from 'nock'

import Api from '../../src/commands/api.js'
import {API_ENDPOINTS} from '../../src/lib/platform/endpoints.generated.js'
import {runCommand} from '../helpers/command.js'
import {connector} from '../helpers/connector-fixtures.js'
import {fakePlatform, problem, ROUTE, SECONDARY, type FakePlatform} from '../helpers/fake-platform.js'

const GLOBAL = 'https://global.example.com'
/** The fake stdin of the test context (a PassThrough): what `--input -` reads. */
const stdinOf = (t: FakePlatform) => t.io.io.stdin as PassThrough

describe('api (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  it('GET by default: the body as one exact JSON line in a pipe, with the profile token and a correlation id', async () => {
    p = await fakePlatform()
    p.cluster
      .get('/v1/connectors/shared_sql')
      .matchHeader('x-correlation-id', /^[0-9a-f-]{36}$/)
      .reply(200, connector('shared_sql'), {'content-type': 'application/json'})
    const res = await runCommand(Api, ['/v1/connectors/shared_sql'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.equal(JSON.stringify(connector('shared_sql')) + '\n')
    expect(res.result).to.deep.equal(connector('shared_sql'))
  })

  it('at a terminal the JSON is indented; a path without its leading slash is the same path', async () => {
    p = await fakePlatform({tty: true})
    p.cluster.get('/v1/health').reply(200, {status: 'ok', region: 'eastus'}, {'content-type': 'application/json'})
    const res = await runCommand(Api, ['v1/health'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.equal('{\n  "status": "ok",\n  "region": "eastus"\n}\n')
  })

  it('-F fields make a typed JSON body and the method POST; -f values stay strings; -H headers are sent', async () => {
    p = await fakePlatform()
    p.cluster
      .post('/v1/access-checks', {userId: 'u1', connectorId: 'shared_sql', count: 3, ok: true, none: null, zip: '01234'})
      .matchHeader('content-type', 'application/json')
      .matchHeader('idempotency-key', 'k-1')
      .reply(200, {allowed: true}, {'content-type': 'application/json'})
    const res = await runCommand(
      Api,
      [
        '/v1/access-checks',
        '-F',
        'userId=u1',
        '-F',
        'connectorId=shared_sql',
        '-F',
        'count=3',
        '-F',
        'ok=true',
        '-F',
        'none=null',
        '-f',
        'zip=01234',
        '-H',
        'Idempotency-Key: k-1',
      ],
      p,
    )
    expect(res.code, res.stderr).to.equal(0)
    expect(res.result).to.deep.equal({allowed: true})
  })

  it('-f with an explicit GET goes into the query string, kept with the query given', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/connectors').query({tier: 'premium', limit: '5'}).reply(200, {items: [], nextCursor: null}, {'content-type': 'application/json'})
    const res = await runCommand(Api, ['get', '/v1/connectors?tier=premium', '-f', 'limit=5'], p)
    expect(res.code, res.stderr).to.equal(0)
  })

  it('--input FILE and --input - (stdin) send the JSON document; If-Match is passed on', async () => {
    p = await fakePlatform()
    const dir = mkdtempSync(join(tmpdir(), 'ppctl-api-'))
    try {
      writeFileSync(join(dir, 'body.json'), '{"skuId": "PREMIUM"}')
      p.cluster.post('/v1/users/u1/licenses', {skuId: 'PREMIUM'}).reply(201, {skuId: 'PREMIUM'}, {'content-type': 'application/json'})
      const fromFile = await runCommand(Api, ['/v1/users/u1/licenses', '--input', join(dir, 'body.json')], p)
      expect(fromFile.code, fromFile.stderr).to.equal(0)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
    p.cluster
      .post('/v1/connectors/shared_ftp/block', {reason: 'test'})
      .matchHeader('if-match', '"7"')
      .reply(200, connector('shared_ftp', {blocked: true}), {'content-type': 'application/json'})
    stdinOf(p).end('{"reason": "test"}')
    const fromStdin = await runCommand(Api, ['POST', '/v1/connectors/shared_ftp/block', '--input', '-', '-H', 'If-Match: "7"'], p)
    expect(fromStdin.code, fromStdin.stderr).to.equal(0)
    expect(fromStdin.result).to.include({blocked: true})
  })

  it('a body that is not JSON, both -f and --input, or a body on GET: exit 2 before any request', async () => {
    p = await fakePlatform()
    stdinOf(p).end('{not json')
    const bad = await runCommand(Api, ['POST', '/v1/connectors', '--input', '-'], p)
    expect(bad.code).to.equal(2)
    expect(bad.stderr).to.match(/^Error: --input stdin: not valid JSON/m)
    const both = await runCommand(Api, ['/v1/connectors', '--input', 'x.json', '-f', 'a=b'], p)
    expect(both.code).to.equal(2)
    expect(both.stderr).to.match(/--input|--raw-field/)
    const get = await runCommand(Api, ['GET', '/v1/connectors', '--input', 'x.json'], p)
    expect(get.code).to.equal(2)
    expect(get.stderr).to.contain('GET requests carry no body')
    const field = await runCommand(Api, ['/v1/connectors', '-F', 'novalue'], p)
    expect(field.code).to.equal(2)
    expect(field.stderr).to.contain('a field is key=value')
  })

  for (const header of [
    'Authorization: Bearer stolen',
    'authorization:x',
    'Host: evil.example',
    'Transfer-Encoding: chunked',
    'Connection: close',
    'Bad Name: x',
  ]) {
    it(`-H '${header}' is refused (exit 2), nothing sent, the value not echoed`, async () => {
      p = await fakePlatform()
      const res = await runCommand(Api, ['/v1/connectors', '-H', header], p)
      expect(res.code).to.equal(2)
      expect(res.stderr).to.match(/^Error: -H /m)
      expect(res.stderr).not.to.contain('stolen')
      expect(res.stdout).to.equal('')
    })
  }

  for (const path of [
    'https://evil.example/v1/connectors',
    '//evil.example/v1/x',
    '/v1/../admin',
    '/v1/%2e%2e/admin',
    '/v1/.%2E/x',
    '/v1\\x',
    '/v1/x#frag',
    '/v1/a b',
    'javascript:alert(1)',
  ]) {
    it(`the path ${path} is refused (exit 2) before any request`, async () => {
      p = await fakePlatform()
      const res = await runCommand(Api, [path], p)
      expect(res.code).to.equal(2)
      expect(res.stderr).to.match(/^Error: The path .* (is a URL|names a host|leaves the API|contains)/m)
    })
  }

  it('an unknown METHOD is exit 2; no path at all is exit 2', async () => {
    p = await fakePlatform()
    const method = await runCommand(Api, ['FETCH', '/v1/connectors'], p)
    expect(method.code).to.equal(2)
    expect(method.stderr).to.contain('not an HTTP method')
    const none = await runCommand(Api, [], p)
    expect(none.code).to.equal(2)
  })

  for (const [status, code, exit] of [
    [400, 'BAD_REQUEST', 2],
    [401, 'UNAUTHENTICATED', 4],
    [403, 'ROLE_FORBIDDEN', 5],
    [404, 'CONNECTOR_NOT_FOUND', 6],
    [409, 'CONFLICT', 7],
    [412, 'PRECONDITION_FAILED', 7],
    [422, 'VALIDATION_FAILED', 2],
    [428, 'PRECONDITION_REQUIRED', 7],
  ] as const) {
    it(`${status} ${code}: exit ${exit}, the platform's code, detail and correlation id on stderr, stdout empty`, async () => {
      p = await fakePlatform()
      p.cluster.post('/v1/connectors/x/block').reply(...problem(status, code, `detail of ${code}`, `corr-${status}`))
      const res = await runCommand(Api, ['POST', '/v1/connectors/x/block'], p)
      expect(res.code).to.equal(exit)
      expect(res.stdout).to.equal('')
      expect(res.stderr).to.contain(`Error: POST /v1/connectors/x/block failed: detail of ${code}`).and.contain(`corr-${status}`)
    })
  }

  it('--json: an error answer is the {error} document with the platform code', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/users/nope').reply(...problem(404, 'USER_NOT_FOUND', 'No such user.'))
    const res = await runCommand(Api, ['/v1/users/nope', '--json'], p)
    expect(res.code).to.equal(6)
    expect(res.json<{error: {code: string; exitCode: number}}>().error).to.include({code: 'USER_NOT_FOUND', exitCode: 6})
  })

  it('429 with Retry-After is retried on the clock, then answered; 503 on every attempt is exit 9', async () => {
    p = await fakePlatform()
    p.cluster
      .get('/v1/health')
      .reply(429, {code: 'CLUSTER_THROTTLED'}, {'content-type': 'application/problem+json', 'retry-after': '2'})
      .get('/v1/health')
      .reply(200, {status: 'ok'}, {'content-type': 'application/json'})
    const ok = await runCommand(Api, ['/v1/health'], p)
    expect(ok.code, ok.stderr).to.equal(0)
    expect(p.clock.sleeps).to.deep.equal([2000])
    p.cluster.get('/v1/health').times(4).reply(503, {code: 'CLUSTER_UNAVAILABLE'}, {'content-type': 'application/problem+json', 'retry-after': '1'})
    // After the retries the home may have moved: the global service is asked once, and names the same home.
    p.global.get('/v1/me/home').reply(200, ROUTE)
    const down = await runCommand(Api, ['/v1/health'], p)
    expect(down.code).to.equal(9)
  })

  it('421 WRONG_CLUSTER: the route is read again and the request sent to the new home', async () => {
    p = await fakePlatform()
    const moved = {...ROUTE, home: {clusterId: 'westus-1', region: 'westus', uri: SECONDARY}, secondary: ROUTE.home, epoch: 2}
    p.cluster.delete('/v1/connectors/custom_x').reply(...problem(421, 'WRONG_CLUSTER', 'Not the active cluster.'))
    p.global.get('/v1/me/home').reply(200, moved)
    const secondary = nock(SECONDARY).matchHeader('authorization', 'Bearer test-access-token').delete('/v1/connectors/custom_x').reply(204)
    const res = await runCommand(Api, ['DELETE', '/v1/connectors/custom_x', '-H', 'If-Match: "1"'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(secondary.isDone()).to.equal(true)
    // 204: no body, nothing on stdout
    expect(res.stdout).to.equal('')
  })

  const page = (cursor: string | undefined, ids: string[], next: string | null) =>
    p.cluster
      .get('/v1/connectors')
      .query({tier: 'custom', limit: '2', ...(cursor ? {cursor} : {})})
      .reply(200, {items: ids.map((id) => connector(id)), nextCursor: next}, {'content-type': 'application/json'})

  it('--paginate: every page through nextCursor (passed back as cursor, limit kept), one JSON array', async () => {
    p = await fakePlatform()
    page(undefined, ['a', 'b'], 'c2')
    page('c2', ['c', 'd'], 'c3')
    page('c3', ['e'], null)
    const res = await runCommand(Api, ['/v1/connectors?tier=custom&limit=2', '--paginate'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect((JSON.parse(res.stdout) as Array<{id: string}>).map((c) => c.id)).to.deep.equal(['a', 'b', 'c', 'd', 'e'])
    expect(res.result).to.have.length(5)
  })

  it('--paginate --ndjson: one item per line', async () => {
    p = await fakePlatform()
    page(undefined, ['a', 'b'], 'c2')
    page('c2', ['c'], null)
    // no METHOD: --paginate keeps it a GET, the fields going into the query
    const res = await runCommand(Api, ['/v1/connectors', '-f', 'tier=custom', '-f', 'limit=2', '--paginate', '--ndjson'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(
      res.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as {id: string}).id),
    ).to.deep.equal(['a', 'b', 'c'])
  })

  it('--paginate on an answer that is not a page, or whose cursor repeats: exit 2', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/health').reply(200, {status: 'ok'}, {'content-type': 'application/json'})
    const notList = await runCommand(Api, ['/v1/health', '--paginate'], p)
    expect(notList.code).to.equal(2)
    expect(notList.stderr).to.contain('is not a page')
    p.cluster
      .get('/v1/users')
      .query(true)
      .times(2)
      .reply(200, {items: [{id: 'u'}], nextCursor: 'same'}, {'content-type': 'application/json'})
    const loop = await runCommand(Api, ['/v1/users', '--paginate'], p)
    expect(loop.code).to.equal(2)
    expect(loop.stderr).to.contain('cursor same twice')
    const post = await runCommand(Api, ['POST', '/v1/users', '--paginate'], p)
    expect(post.code).to.equal(2)
  })

  it("--tenant: the other tenant's route from the global service, the request to its home", async () => {
    p = await fakePlatform()
    const fabrikam = {
      ...ROUTE,
      tenantId: '7b2d9e44-6f3a-4c1b-8e2d-9a0f1b00fab2',
      tenantName: 'fabrikam',
      home: {clusterId: 'westus-1', region: 'westus', uri: SECONDARY},
    }
    p.global.get('/v1/tenants/fabrikam/home').reply(200, fabrikam)
    const home = nock(SECONDARY).get('/v1/health').reply(200, {status: 'ok', tenants: []}, {'content-type': 'application/json'})
    const res = await runCommand(Api, ['/v1/health', '--tenant', 'fabrikam'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(home.isDone()).to.equal(true)
  })

  it('--global: the request goes to the global service with the token; -i prints the status and headers to stderr', async () => {
    p = await fakePlatform()
    nock(GLOBAL)
      .matchHeader('authorization', 'Bearer test-access-token')
      .get('/v1/tenants/fabrikam/home')
      .reply(200, {tenantId: 't'}, {'content-type': 'application/json', 'x-correlation-id': 'corr-g'})
    const res = await runCommand(Api, ['--global', '/v1/tenants/fabrikam/home', '-i'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.equal('{"tenantId":"t"}\n')
    expect(res.stderr)
      .to.match(/^HTTP 200$/m)
      .and.match(/^x-correlation-id: corr-g$/m)
    const both = await runCommand(Api, ['--global', '--tenant', 'x', '/v1/me/home'], p)
    expect(both.code).to.equal(2)
  })

  it('a text answer (the audit event stream) is printed as sent; at a terminal its escape sequences are removed', async () => {
    p = await fakePlatform({tty: true})
    p.cluster
      .get('/v1/audit/stream')
      .query({end: 'head'})
      .reply(200, 'retry: 3000\n\nid: 1\nevent: audit\ndata: {"seq":1,"x":"\u001b]52;c;aGk=\u0007"}\n\n', {'content-type': 'text/event-stream'})
    const res = await runCommand(Api, ['/v1/audit/stream?end=head'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.match(/^id: 1$/m)
    expect(res.stdout).not.to.match(/\u001b/)
  })

  it('--debug: requests traced on stderr, the token never shown', async () => {
    p = await fakePlatform({debug: true})
    p.cluster.get('/v1/health').reply(200, {status: 'ok'}, {'content-type': 'application/json'})
    const res = await runCommand(Api, ['/v1/health', '--debug'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stderr).to.contain('[debug]').and.contain('/v1/health')
    expect(res.stderr + res.stdout).not.to.contain('test-access-token')
  })

  it('the help lists every cluster and global endpoint of docs/openapi.yaml', () => {
    expect(API_ENDPOINTS.length).to.be.greaterThan(15)
    for (const e of API_ENDPOINTS) expect(Api.description).to.contain(`${e.method.padEnd(7)} ${e.path}`)
    expect(Api.description).to.contain('/v1/connectors/{connectorId}/block').and.contain('/v1/tenants/{tenantId}/home')
  })
})
