// The gateway's DPoP proof checks (RFC 9449) with an injected clock: key binding, htm/htu, ath, iat window, nonce, replay; and the token verifier's scheme rules.
import {expect} from 'chai'
import {createHash, randomUUID} from 'node:crypto'

import {calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK} from 'jose'

import {createServer, request, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {createProofVerifier, ProofRejected, type ProofRequest, type ProofVerifier} from '../../src/sandbox/gateway/dpop-proof.js'
import {createGateway} from '../../src/sandbox/gateway/gateway.js'
import {createTokenVerifier, TokenRejected} from '../../src/sandbox/gateway/verify-token.js'

const URL_ = 'https://contoso.clusters.sandbox.localhost:8443/v1/connectors'
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl'
const ath = (token: string) => createHash('sha256').update(token).digest('base64url')

interface Key {
  privateKey: CryptoKey
  jwk: JWK
  jkt: string
}

async function newKey(): Promise<Key> {
  const {privateKey, publicKey} = await generateKeyPair('ES256')
  const jwk = await exportJWK(publicKey)
  return {privateKey, jwk, jkt: await calculateJwkThumbprint(jwk)}
}

interface ProofClaims {
  htm?: string
  htu?: string
  iat?: number
  jti?: string
  ath?: string
  nonce?: string
}

async function proof(key: Key, claims: ProofClaims, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({...claims} as Record<string, unknown>).setProtectedHeader({alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk, ...header}).sign(key.privateKey)
}

async function rejection(p: Promise<unknown>): Promise<ProofRejected> {
  try {
    await p
  } catch (err) {
    if (err instanceof ProofRejected) return err
    throw err
  }
  throw new Error('the proof was accepted')
}

describe('gateway DPoP proof verification (injected clock)', () => {
  let clock: number
  let verifier: ProofVerifier
  let key: Key
  const nowSeconds = () => Math.floor(clock / 1000)
  const good = (over: ProofClaims = {}): ProofClaims => ({
    htm: 'GET',
    htu: URL_,
    iat: nowSeconds(),
    jti: randomUUID(),
    ath: ath(TOKEN),
    nonce: verifier.currentNonce(),
    ...over,
  })
  const check = async (p: string, method = 'GET', url = URL_) => verifier.verify({method, url, dpop: p}, TOKEN, key.jkt)
  /** Why a proof of the bound key with these claims (over the good ones) is refused. */
  const refusal = async (over: ProofClaims) => (await rejection(check(await proof(key, good(over))))).description

  beforeEach(async () => {
    clock = 1_800_000_000_000
    verifier = createProofVerifier({now: () => clock, windowSeconds: 60, nonceStepSeconds: 300})
    key = await newKey()
  })

  it('accepts a fresh proof of the bound key for this method, URL (query ignored), token and nonce', async () => {
    await check(await proof(key, good()))
    await check(await proof(key, good({htm: 'POST'})), 'post', `${URL_}?limit=5`)
  })

  it('refuses a proof signed by another key than the one the token is bound to', async () => {
    const other = await newKey()
    const err = await rejection(check(await proof(other, good())))
    expect(err.error).to.equal('invalid_dpop_proof')
    expect(err.description).to.match(/not signed by the key the token is bound to/)
  })

  it('refuses a proof for another method, another URL or another token', async () => {
    expect(await refusal({htm: 'DELETE'})).to.match(/htm/)
    expect(await refusal({htu: 'https://fabrikam.clusters.sandbox.localhost:8443/v1/connectors'})).to.match(/htu/)
    expect(await refusal({htu: `${URL_}/x`})).to.match(/htu/)
    expect(await refusal({ath: ath('another token')})).to.match(/ath/)
    expect(await refusal({ath: undefined})).to.match(/ath/)
  })

  it('refuses a proof whose iat is outside the window, either way', async () => {
    expect(await refusal({iat: nowSeconds() - 61})).to.match(/iat/)
    expect(await refusal({iat: nowSeconds() + 61})).to.match(/iat/)
    await check(await proof(key, good({iat: nowSeconds() - 60})))
  })

  it('refuses a replayed proof (same jti), even for a request that would otherwise pass', async () => {
    const once = await proof(key, good())
    await check(once)
    const err = await rejection(check(once))
    expect(err.error).to.equal('invalid_dpop_proof')
    expect(err.description).to.match(/replayed/)
  })

  it('asks for its nonce when the proof has none, and for a new one when it is stale; the previous step still counts', async () => {
    const missing = await rejection(check(await proof(key, good({nonce: undefined}))))
    expect(missing.error).to.equal('use_dpop_nonce')
    expect(missing.nonce).to.equal(verifier.currentNonce())

    const old = verifier.currentNonce()
    clock += 300_000
    expect(verifier.currentNonce()).not.to.equal(old)
    await check(await proof(key, good({nonce: old})))
    clock += 300_000
    const stale = await rejection(check(await proof(key, good({nonce: old}))))
    expect(stale.error).to.equal('use_dpop_nonce')
    expect(stale.description).to.match(/stale/)
    expect(stale.nonce).to.equal(verifier.currentNonce())
    // A proof refused for its nonce is not used up: the retry with the current nonce (a new proof) passes.
    await check(await proof(key, good()))
  })

  it('refuses what is not a signed dpop+jwt: no header, two headers, wrong typ, a symmetric signature, garbage', async () => {
    expect((await rejection(verifier.verify({method: 'GET', url: URL_, dpop: undefined}, TOKEN, key.jkt))).description).to.match(/send a DPoP-proof/)
    const p = await proof(key, good())
    expect((await rejection(verifier.verify({method: 'GET', url: URL_, dpop: [p, p]}, TOKEN, key.jkt))).description).to.match(/exactly one/)
    expect((await rejection(check(await proof(key, good(), {typ: 'JWT'})))).error).to.equal('invalid_dpop_proof')
    const hs = await new SignJWT({...good()} as Record<string, unknown>)
      .setProtectedHeader({alg: 'HS256', typ: 'dpop+jwt', jwk: key.jwk})
      .sign(new Uint8Array(32))
    expect((await rejection(check(hs))).error).to.equal('invalid_dpop_proof')
    expect((await rejection(check('not.a.jwt'))).error).to.equal('invalid_dpop_proof')
  })
})

describe('gateway token verifier: Bearer and DPoP schemes', () => {
  const issuer = 'https://login.sandbox.localhost:8443'
  const audience = 'https://api.sandbox.localhost'
  let signer: CryptoKey
  let jwks: {keys: JWK[]}
  let key: Key
  let clock: number
  let proofs: ProofVerifier

  before(async () => {
    const pair = await generateKeyPair('RS256')
    signer = pair.privateKey
    jwks = {keys: [{...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig'}]}
    key = await newKey()
  })
  beforeEach(() => {
    clock = Date.now()
    proofs = createProofVerifier({now: () => clock})
  })

  const accessToken = (extra: Record<string, unknown> = {}) =>
    new SignJWT({tid: 'tenant-1', roles: ['Admin'], ...extra})
      .setProtectedHeader({alg: 'RS256', typ: 'at+jwt', kid: 'k1'})
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject('user-1')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(signer)

  async function refused(p: Promise<unknown>): Promise<TokenRejected> {
    try {
      await p
    } catch (err) {
      if (err instanceof TokenRejected) return err
      throw err
    }
    throw new Error('the token was accepted')
  }

  it('accepts a bound token with the DPoP scheme and a proof of its key', async () => {
    const verify = createTokenVerifier({issuer, audience, jwks: () => jwks as never, dpop: proofs})
    const token = await accessToken({cnf: {jkt: key.jkt}})
    const dpop = await proof(key, {htm: 'GET', htu: URL_, iat: Math.floor(clock / 1000), jti: randomUUID(), ath: ath(token), nonce: proofs.currentNonce()})
    const principal = await verify(`DPoP ${token}`, {method: 'GET', url: URL_, dpop})
    expect(principal).to.include({tenantId: 'tenant-1', subject: 'user-1'})
  })

  it('refuses a bound token presented as a Bearer token, with a DPoP challenge', async () => {
    const verify = createTokenVerifier({issuer, audience, jwks: () => jwks as never, dpop: proofs})
    const token = await accessToken({cnf: {jkt: key.jkt}})
    const err = await refused(verify(`Bearer ${token}`, {method: 'GET', url: URL_, dpop: undefined}))
    expect(err.error).to.equal('invalid_token')
    expect(err.dpop).to.deep.equal({})
    expect(err.description).to.match(/DPoP-bound/)
  })

  it('refuses a bound token with a proof of another key, and passes the nonce of a nonce challenge on', async () => {
    const verify = createTokenVerifier({issuer, audience, jwks: () => jwks as never, dpop: proofs})
    const token = await accessToken({cnf: {jkt: key.jkt}})
    const other = await newKey()
    const claims = {htm: 'GET', htu: URL_, iat: Math.floor(clock / 1000), ath: ath(token)}
    const wrongKey = await refused(
      verify(`DPoP ${token}`, {method: 'GET', url: URL_, dpop: await proof(other, {...claims, jti: randomUUID(), nonce: proofs.currentNonce()})}),
    )
    expect(wrongKey.error).to.equal('invalid_dpop_proof')
    const noNonce = await refused(verify(`DPoP ${token}`, {method: 'GET', url: URL_, dpop: await proof(key, {...claims, jti: randomUUID()})}))
    expect(noNonce.error).to.equal('use_dpop_nonce')
    expect(noNonce.dpop?.nonce).to.equal(proofs.currentNonce())
  })

  it('refuses the DPoP scheme for a token that is not bound; a plain Bearer token still works', async () => {
    const verify = createTokenVerifier({issuer, audience, jwks: () => jwks as never, dpop: proofs})
    const token = await accessToken()
    expect((await refused(verify(`DPoP ${token}`, {method: 'GET', url: URL_, dpop: undefined}))).description).to.match(/not DPoP-bound/)
    expect(await verify(`Bearer ${token}`)).to.include({tenantId: 'tenant-1'})
  })
})

describe('gateway answers to DPoP refusals (in-process gateway, real HTTP)', () => {
  let server: Server
  let port: number
  let refused: string[]
  let seen: ProofRequest | undefined
  let next: TokenRejected

  before(async () => {
    const gateway = createGateway({
      identity: () => {},
      global: () => {},
      cluster: () => {},
      clusterIds: [],
      verify: async (_authorization, req) => {
        seen = req
        throw next
      },
      rateLimit: {rps: 1000, burst: 1000},
      health: () => ({status: 'ok'}),
      requestLog: () => {},
      onRefused: (_rc, _req, status, reason) => refused.push(`${status} ${reason}`),
    })
    server = createServer((req, res) => void gateway(req, res))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  beforeEach(() => (refused = []))
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  const call = () =>
    new Promise<{status: number; headers: Record<string, unknown>; body: {code?: string}}>((resolve, reject) => {
      const req = request(
        {host: '127.0.0.1', port, path: '/v1/me/home?x=1', headers: {host: 'global.sandbox.localhost:8443', authorization: 'DPoP t', dpop: 'p'}, agent: false},
        (res) => {
          let body = ''
          res.on('data', (d: Buffer) => (body += d.toString('utf8')))
          res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(body)}))
        },
      )
      req.on('error', reject)
      req.end()
    })

  it('hands the verifier the method, the URL as addressed and the proof; a bad proof: a DPoP challenge, INVALID_DPOP_PROOF, audited', async () => {
    next = new TokenRejected('invalid_dpop_proof', 'the DPoP-proof was already used (replayed jti)', {})
    const res = await call()
    expect(seen).to.deep.equal({method: 'GET', url: 'https://global.sandbox.localhost:8443/v1/me/home?x=1', dpop: 'p'})
    expect(res.status).to.equal(401)
    expect(res.headers['www-authenticate']).to.equal(
      'DPoP algs="ES256 ES384 PS256 RS256 EdDSA", error="invalid_dpop_proof", error_description="the DPoP-proof was already used (replayed jti)"',
    )
    expect(res.headers).not.to.have.property('dpop-nonce')
    expect(res.body.code).to.equal('INVALID_DPOP_PROOF')
    expect(refused).to.deep.equal(['401 the DPoP-proof was already used (replayed jti)'])
  })

  it('a nonce challenge carries DPoP-Nonce and USE_DPOP_NONCE, and is not audited as a refusal (it is the first step of every DPoP client)', async () => {
    next = new TokenRejected('use_dpop_nonce', 'the DPoP-proof must carry the gateway nonce', {nonce: 'n-42'})
    const res = await call()
    expect(res.status).to.equal(401)
    expect(res.headers['dpop-nonce']).to.equal('n-42')
    expect(res.headers['www-authenticate']).to.match(/^DPoP .*error="use_dpop_nonce"/)
    expect(res.body.code).to.equal('USE_DPOP_NONCE')
    expect(refused).to.deep.equal([])
  })

  it('a description with double quotes stays one quoted-string in the challenge', async () => {
    next = new TokenRejected('invalid_token', 'say "DPoP"', {})
    expect((await call()).headers['www-authenticate']).to.match(/error_description="say 'DPoP'"$/)
  })
})
