// docs/openapi.yaml: lints clean under Redocly's recommended rules, its examples match its schemas, and real answers match it.
import {expect} from 'chai'
import {bundle, createConfig, lint} from '@redocly/openapi-core'

import {assertMatchesOpenApi, formatErrors, OPENAPI_FILE, openApi, schemaValidator} from '../helpers/openapi.js'
import {event, getJson, startAuditServer, TENANT, type AuditServer} from '../helpers/audit-server.js'

type Json = Record<string, unknown>

const pointer = (parts: string[]) => '#/' + parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')

/** Every (schema pointer, example) pair of the document: media type examples and schema examples. */
function examples(node: unknown, path: string[] = []): Array<{at: string; schema: string; example: unknown}> {
  if (!node || typeof node !== 'object') return []
  const out: Array<{at: string; schema: string; example: unknown}> = []
  const obj = node as Json
  if ('example' in obj && path.at(-1) !== 'properties') {
    if (obj.schema) out.push({at: pointer(path), schema: pointer([...path, 'schema']), example: obj.example})
    else if (obj.type || obj.properties || obj.allOf) out.push({at: pointer(path), schema: pointer(path), example: obj.example})
  }
  for (const [key, value] of Object.entries(obj)) if (key !== 'example') out.push(...examples(value, [...path, key]))
  return out
}

describe('OpenAPI document (docs/openapi.yaml)', () => {
  it("lints with no error or warning under Redocly's recommended rules", async () => {
    // The local platform is served on *.localhost by design; that rule is for public APIs.
    const config = await createConfig({extends: ['recommended'], rules: {'no-server-example.com': 'off'}})
    const problems = await lint({ref: OPENAPI_FILE, config})
    const report = problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer}`)
    expect(report).to.deep.equal([])
  })

  it('bundles with every $ref resolved', async () => {
    const config = await createConfig({extends: ['recommended']})
    const result = await bundle({ref: OPENAPI_FILE, config, dereference: true})
    expect(result.problems.filter((p) => p.severity === 'error')).to.deep.equal([])
    expect(JSON.stringify(result.bundle.parsed)).not.to.contain('"$ref"')
    const paths = Object.keys((result.bundle.parsed as {paths: Json}).paths)
    for (const path of [
      '/v1/audit/events',
      '/v1/audit/stream',
      '/v1/connectors',
      '/v1/access-checks',
      '/v1/licenses/skus',
      '/v1/users',
      '/v1/me/home',
      '/v1/health',
    ]) {
      expect(paths).to.include(path)
    }
  })

  it('has examples that match their schemas', () => {
    const found = examples(openApi().doc).filter((e) => !/text~1event-stream|x-ndjson/.test(e.at))
    expect(found.length).to.be.greaterThan(5)
    for (const {at, schema, example} of found) {
      const validate = schemaValidator(schema)
      expect(validate(example), `${at}: ${formatErrors(validate.errors)}`).to.equal(true)
    }
  })

  it('rejects bodies that do not match (the validator can fail)', () => {
    expect(() => assertMatchesOpenApi('get', '/v1/audit/events', 200, {items: [{seq: '1'}], nextCursor: null})).to.throw(/does not match/)
    expect(() => assertMatchesOpenApi('get', '/v1/audit/events', 200, {items: []})).to.throw(/nextCursor/)
    expect(() => assertMatchesOpenApi('get', '/v1/audit/events', 410, {code: 'CURSOR_EXPIRED'})).to.throw(/does not match/)
    expect(() => assertMatchesOpenApi('get', '/v1/audit/events', 418, {})).to.throw(/documents no 418/)
    expect(() => assertMatchesOpenApi('get', '/v1/nope', 200, {})).to.throw(/no path/)
  })

  describe('real audit API answers', () => {
    let server: AuditServer
    before(async () => {
      server = await startAuditServer()
      server.reader.appendMany(Array.from({length: 30}, () => event({clientIp: '127.0.0.1', userAgent: 'ppctl/0.1.0'})))
    })
    after(() => server.close())

    it('match the document: a page, a 410, a 409, a 400 and a 403', async () => {
      const page = await getJson(`${server.base}/v1/audit/events?limit=10`)
      expect(page.body.nextCursor).to.equal('10')
      assertMatchesOpenApi('get', '/v1/audit/events', 200, page.body)
      server.reader.prune(TENANT, 20)
      const expired = await getJson(`${server.base}/v1/audit/events?after=3`)
      expect(expired.status).to.equal(410)
      assertMatchesOpenApi('get', '/v1/audit/events', 410, expired.body)
      assertMatchesOpenApi('get', '/v1/audit/stream', 410, (await getJson(`${server.base}/v1/audit/stream?after=3`)).body)
      const ahead = await getJson(`${server.base}/v1/audit/events?after=1004`)
      expect(ahead.status).to.equal(409)
      assertMatchesOpenApi('get', '/v1/audit/events', 409, ahead.body)
      assertMatchesOpenApi('get', '/v1/audit/stream', 409, (await getJson(`${server.base}/v1/audit/stream?after=1004`)).body)
      const bad = await getJson(`${server.base}/v1/audit/events?limit=0`)
      assertMatchesOpenApi('get', '/v1/audit/events', 400, bad.body)
      const forbidden = await getJson(`${server.base}/v1/audit/events`, {'x-test-roles': 'Maker'})
      assertMatchesOpenApi('get', '/v1/audit/events', 403, forbidden.body)
    })
  })
})
