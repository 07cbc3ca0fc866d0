// The HTTP stack's Authorization against a real HTTPS server: Bearer, or DPoP with a fresh proof per request, one retry on
// a nonce challenge (never a loop), nonces remembered per origin, and no credential across a redirect to another origin.
import {expect} from 'chai'
import {createHash} from 'node:crypto'

import {EmbeddedJWK, jwtVerify} from 'jose'

import {newDpopKey} from '../../../src/lib/auth/dpop.js'
import {createHttp} from '../../../src/lib/http/client.js'
import type {Http, RequestAuth} from '../../../src/lib/http/types.js'
import {createTestPki, startHttpsServer, type SeenRequest, type TestPki, type TestServer} from '../../helpers/http-fixtures.js'

const TOKEN = 'eyJhbGciOiJQUzI1NiJ9.eyJjbmYiOnt9fQ.c2ln'

/** The proof's claims, after checking its signature against the key it carries (as a server does first). */
async function proofOf(req: SeenRequest): Promise<Record<string, unknown>> {
  const {payload, protectedHeader} = await jwtVerify(String(req.headers.dpop), EmbeddedJWK, {typ: 'dpop+jwt'})
  expect(protectedHeader.alg).to.equal('ES256')
  expect(protectedHeader.jwk).not.to.have.property('d')
  return payload as Record<string, unknown>
}

const nonceOf = async (req: SeenRequest) => (req.headers.dpop ? (await proofOf(req)).nonce : undefined)

describe('http/client Authorization: Bearer and DPoP (real HTTPS server)', () => {
  let pki: TestPki
  let server: TestServer
  let base: string
  let other: string
  let http: Http
  let debugLines: string[]

  before(async () => {
    pki = createTestPki(['api.test.localhost', 'other.test.localhost'])
    server = await startHttpsServer(pki, (req, res) => {
      const challenge = () => {
        res.statusCode = 401
        res.setHeader('www-authenticate', 'DPoP algs="ES256", error="use_dpop_nonce", error_description="nonce required"')
        res.setHeader('dpop-nonce', `n-${server.seen.length}`)
        res.end()
      }
      const path = req.url.split('?')[0]
      if (path === '/always-nonce') return challenge()
      if (path === '/redirect') {
        res.statusCode = 307
        res.setHeader('location', `${other}/landed`)
        return res.end()
      }
      void nonceOf(req).then((nonce) => {
        if (path === '/nonce' && nonce === undefined) return challenge()
        // A server may hand out the next nonce with any answer.
        res.setHeader('dpop-nonce', 'rotated')
        res.setHeader('content-type', 'application/json')
        res.end('{}')
      })
    })
    base = `https://api.test.localhost:${server.port}`
    other = `https://other.test.localhost:${server.port}`
  })
  beforeEach(() => {
    debugLines = []
    http = createHttp({env: {}, ca: pki.ca, userAgent: 'ppctl/test', debug: {enabled: true, log: (line: string) => debugLines.push(line)}})
  })
  afterEach(async () => {
    await http.close()
    server.seen.length = 0
  })
  after(async () => {
    await server?.close()
  })

  it('a token without a key goes as Bearer, with no DPoP header', async () => {
    const res = await http.fetch(`${base}/plain`, {auth: {token: TOKEN}})
    expect(res.status).to.equal(200)
    expect(server.seen[0].headers.authorization).to.equal(`Bearer ${TOKEN}`)
    expect(server.seen[0].headers).not.to.have.property('dpop')
  })

  it('a bound token goes as DPoP with a proof of this method, URL and token; a nonce challenge is answered once, with a new proof', async () => {
    const key = await newDpopKey()
    const auth: RequestAuth = {token: TOKEN, dpop: key.prover}
    const res = await http.fetch(`${base}/nonce?limit=5`, {method: 'POST', body: '{"a":1}', headers: {'content-type': 'application/json'}, auth})
    expect(res.status).to.equal(200)
    expect(server.seen).to.have.length(2)
    const [first, second] = await Promise.all(server.seen.map(proofOf))
    for (const [req, proof] of [
      [server.seen[0], first],
      [server.seen[1], second],
    ] as const) {
      expect(req.headers.authorization).to.equal(`DPoP ${TOKEN}`)
      expect(proof).to.include({htm: 'POST', htu: `${base}/nonce`, ath: createHash('sha256').update(TOKEN).digest('base64url')})
      expect(proof.iat).to.be.a('number')
    }
    expect(first.nonce).to.equal(undefined)
    expect(second.nonce).to.equal('n-1')
    expect(second.jti).to.be.a('string').and.not.equal(first.jti)
    expect(server.seen[1].body).to.equal('{"a":1}')
    expect(debugLines.join('\n')).not.to.include(TOKEN)
    expect(debugLines.join('\n')).not.to.include(String(server.seen[1].headers.dpop))

    // The nonce sent with the 200 is used by the next request to that origin, so it needs no challenge.
    await (await http.fetch(`${base}/nonce`, {auth})).body?.cancel()
    expect(server.seen).to.have.length(3)
    expect((await proofOf(server.seen[2])).nonce).to.equal('rotated')
  })

  it('a second nonce challenge is not followed: the 401 is the answer after two requests', async () => {
    const key = await newDpopKey()
    const res = await http.fetch(`${base}/always-nonce`, {auth: {token: TOKEN, dpop: key.prover}})
    expect(res.status).to.equal(401)
    expect(server.seen).to.have.length(2)
    expect(await nonceOf(server.seen[1])).to.equal('n-1')
  })

  it('a bearer token is not retried on a nonce challenge (it has no proof to fix)', async () => {
    const res = await http.fetch(`${base}/always-nonce`, {auth: {token: TOKEN}})
    expect(res.status).to.equal(401)
    expect(server.seen).to.have.length(1)
  })

  it('a redirect to another origin carries neither the token nor a proof', async () => {
    const key = await newDpopKey()
    const res = await http.fetch(`${base}/redirect`, {auth: {token: TOKEN, dpop: key.prover}})
    expect(res.status).to.equal(200)
    expect(server.seen.map((s) => s.url)).to.deep.equal(['/redirect', '/landed'])
    expect(server.seen[0].headers.authorization).to.equal(`DPoP ${TOKEN}`)
    expect(server.seen[1].headers).not.to.have.property('authorization')
    expect(server.seen[1].headers).not.to.have.property('dpop')
  })
})
