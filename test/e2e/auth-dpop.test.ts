// DPoP end to end: `auth login --dpop` against the real platform, the key in the credential store only, proofs on every
// request (refresh included), and a stolen token, a foreign key, a replayed proof and a missing nonce refused.
import {expect} from 'chai'
import {createHash, randomUUID} from 'node:crypto'
import {readdirSync, readFileSync} from 'node:fs'
import {join, relative} from 'node:path'

import {calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK} from 'jose'

import {FileStore} from '../../src/lib/credentials/file-store.js'
import type {StoredCredentials} from '../../src/lib/credentials/types.js'
import {runCli, type CliEnv} from '../helpers/cli.js'
import {testClient, type TestClient} from '../helpers/https.js'
import {makeScratchHome, runSessionFixture} from '../helpers/keyring.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {approveWithCli, deviceLogin, machine} from '../helpers/sign-in.js'

/** Every file under `dir` whose bytes contain `needle`, relative to `dir`. */
function filesContaining(dir: string, needle: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, {recursive: true, withFileTypes: true})) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    if (readFileSync(path).includes(needle)) out.push(relative(dir, path))
  }
  return out
}

const ath = (token: string) => createHash('sha256').update(token).digest('base64url')

async function proofWith(key: {privateKey: CryptoKey; jwk: JWK}, htm: string, url: string, token: string, nonce?: string): Promise<string> {
  const u = new URL(url)
  return new SignJWT({htm, htu: `${u.origin}${u.pathname}`, jti: randomUUID(), ath: ath(token), ...(nonce ? {nonce} : {})})
    .setProtectedHeader({alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk})
    .setIssuedAt()
    .sign(key.privateKey)
}

describe('DPoP (real CLI, real platform)', function () {
  let platform: TestPlatform
  let client: TestClient
  let m: CliEnv
  let creds: StoredCredentials
  let homeUrl: string

  before(async () => {
    platform = await startTestPlatform()
    client = testClient(platform.caPem)
    m = await machine(platform)
    const login = await deviceLogin(m.env, ['--dpop'], approveWithCli(platform, 'admin@contoso.example'))
    expect(login.code, login.stderr).to.equal(0)
    expect(JSON.parse(login.stdout)).to.include({dpop: true, credentialStore: 'file', account: 'admin@contoso.example'})
    creds = (await new FileStore(m.env.PPCTL_CONFIG_DIR!, 'sandbox').get('sandbox'))!
    homeUrl = `${platform.urls.global}/v1/me/home`
  })
  after(async () => {
    m?.cleanup()
    await client?.close()
    await platform?.stop()
  })

  /** The owner's key, from the credential store: the test plays the legitimate client (or someone who stole the key too). */
  const ownerKey = async () => {
    const {d: _d, ...publicJwk} = creds.dpopKey!
    return {privateKey: (await importJWK(creds.dpopKey!, 'ES256')) as CryptoKey, jwk: publicJwk as JWK}
  }
  /** The gateway's current nonce, from the challenge to a proof without one. */
  const gatewayNonce = async (key: {privateKey: CryptoKey; jwk: JWK}) => {
    const res = await client.fetch(homeUrl, {
      headers: {authorization: `DPoP ${creds.accessToken}`, dpop: await proofWith(key, 'GET', homeUrl, creds.accessToken!)},
    })
    expect(res.status).to.equal(401)
    expect(res.headers.get('www-authenticate')).to.match(/^DPoP .*error="use_dpop_nonce"/)
    await res.body?.cancel()
    return res.headers.get('dpop-nonce')!
  }

  it('binds the tokens to the stored key (cnf.jkt), and commands, `ppctl api` and a refresh work with proofs', async () => {
    expect(creds.dpopKey).to.include({kty: 'EC', crv: 'P-256'})
    const {d: _d, ...publicJwk} = creds.dpopKey!
    expect(decodeJwt(creds.accessToken!).cnf).to.deep.equal({jkt: await calculateJwkThumbprint(publicJwk)})

    const list = await runCli(['connector', 'list', '--json'], m.env)
    expect(list.code, list.stderr).to.equal(0)
    expect(JSON.parse(list.stdout).count).to.be.greaterThan(0)
    const raw = await runCli(['api', '/v1/users'], m.env)
    expect(raw.code, raw.stderr).to.equal(0)
    expect(JSON.parse(raw.stdout).items.length).to.be.greaterThan(0)
    const route = await runCli(['route', 'show', '--refresh', '--json'], m.env)
    expect(route.code, route.stderr).to.equal(0)
    // The audit stream (its own HTTP path: a long-lived response) sends a proof too.
    const audit = await runCli(['audit', 'stream', '--since', '1h', '--action', 'signin'], m.env)
    expect(audit.code, audit.stderr).to.equal(0)
    expect(audit.stdout.trim().split('\n').length).to.be.greaterThan(0)
    expect(audit.stdout).to.include('admin@contoso.example')

    // The refresh token is bound too: without a proof of the key the identity provider refuses it.
    const meta = (await (await client.fetch(`${platform.urls.authority}/.well-known/openid-configuration`)).json()) as {token_endpoint: string}
    const stolen = await client.fetch(meta.token_endpoint, {
      method: 'POST',
      headers: {'content-type': 'application/x-www-form-urlencoded'},
      body: new URLSearchParams({grant_type: 'refresh_token', refresh_token: creds.refreshToken!, client_id: 'ppctl'}).toString(),
    })
    expect(stolen.status).to.equal(400)
    expect(((await stolen.json()) as {error: string}).error).to.equal('invalid_grant')

    // ppctl's own refresh sends proofs (the provider asks for its nonce first): a new bound token, the same key.
    const refreshed = await runCli(['auth', 'token', '--force-refresh', '--json'], m.env)
    expect(refreshed.code, refreshed.stderr).to.equal(0)
    expect(JSON.parse(refreshed.stdout).tokenType).to.equal('DPoP')
    expect(refreshed.stderr).to.match(/DPoP-bound: the platform refuses it without a proof/)
    const after = (await new FileStore(m.env.PPCTL_CONFIG_DIR!, 'sandbox').get('sandbox'))!
    expect(after.accessToken).not.to.equal(creds.accessToken)
    expect(after.dpopKey).to.deep.equal(creds.dpopKey)
    expect(decodeJwt(after.accessToken!).cnf).to.deep.equal(decodeJwt(creds.accessToken!).cnf)
    const again = await runCli(['user', 'list', '--json'], m.env)
    expect(again.code, again.stderr).to.equal(0)
    // `auth status --check` asks the gateway with the bound token as commands do: with a proof.
    const status = await runCli(['auth', 'status', '--check', '--json'], m.env)
    expect(status.code, status.stderr + status.stdout).to.equal(0)
    creds = after
  })

  it('keeps the private key in the credential store (the file store here) and nowhere else on disk', async () => {
    const d = creds.dpopKey!.d
    expect(filesContaining(m.home, d)).to.deep.equal([join('config', 'credentials', 'sandbox.json')])
    expect(filesContaining(platform.dataDir, d)).to.deep.equal([])
    expect(JSON.stringify(JSON.parse(readFileSync(join(m.env.PPCTL_CONFIG_DIR!, 'config.json'), 'utf8')).profiles.sandbox)).to.include('"dpop":true')
  })

  it('refuses the stolen token without the key: as a Bearer token, and with a proof of another key', async () => {
    const asBearer = await client.fetch(homeUrl, {headers: {authorization: `Bearer ${creds.accessToken}`}})
    expect(asBearer.status).to.equal(401)
    expect(asBearer.headers.get('www-authenticate')).to.match(/^DPoP .*error="invalid_token"/)
    expect(((await asBearer.json()) as {detail: string}).detail).to.match(/DPoP-bound/)

    const {privateKey, publicKey} = await generateKeyPair('ES256')
    const thief = {privateKey, jwk: await exportJWK(publicKey)}
    // Nonces are not secrets: the thief's proof carries a current one, and is still refused for its key.
    const nonce = await gatewayNonce(await ownerKey())
    for (const withNonce of [nonce, undefined]) {
      const res = await client.fetch(homeUrl, {
        headers: {authorization: `DPoP ${creds.accessToken}`, dpop: await proofWith(thief, 'GET', homeUrl, creds.accessToken!, withNonce)},
      })
      expect(res.status).to.equal(401)
      expect(res.headers.get('www-authenticate')).to.match(/^DPoP .*error="invalid_dpop_proof"/)
      expect(await res.json()).to.include({code: 'INVALID_DPOP_PROOF', detail: 'the DPoP-proof is not signed by the key the token is bound to'})
    }
  })

  it('refuses a replayed proof: the same proof works once', async () => {
    const key = await ownerKey()
    const nonce = await gatewayNonce(key)
    const proof = await proofWith(key, 'GET', homeUrl, creds.accessToken!, nonce)
    const first = await client.fetch(homeUrl, {headers: {authorization: `DPoP ${creds.accessToken}`, dpop: proof}})
    expect(first.status).to.equal(200)
    await first.body?.cancel()
    const replay = await client.fetch(homeUrl, {headers: {authorization: `DPoP ${creds.accessToken}`, dpop: proof}})
    expect(replay.status).to.equal(401)
    expect(replay.headers.get('www-authenticate')).to.match(/error="invalid_dpop_proof"/)
    expect(((await replay.json()) as {detail: string}).detail).to.match(/already used/)
  })

  it('follows the nonce challenge (one retry with the nonce), and --debug shows no proof, token or key', async () => {
    const run = await runCli(['api', '/v1/connectors', '--debug'], m.env)
    expect(run.code, run.stderr).to.equal(0)
    const lines = run.stderr.split('\n')
    const challenged = lines.findIndex((l) => /HTTP ← 401 GET .*\/v1\/connectors/.test(l) && /use_dpop_nonce/.test(l) && /dpop-nonce: /.test(l))
    expect(challenged, run.stderr).to.be.greaterThan(-1)
    const retried = lines.slice(challenged + 1).filter((l) => /HTTP → GET .*\/v1\/connectors/.test(l))
    expect(retried, run.stderr).to.have.length(1)
    expect(lines.slice(challenged + 1).some((l) => /HTTP ← 200 GET .*\/v1\/connectors/.test(l))).to.equal(true)
    expect(run.stderr).to.match(/dpop: \[REDACTED\]/)
    expect(run.stderr).to.match(/authorization: \[REDACTED\]/)
    const current = (await new FileStore(m.env.PPCTL_CONFIG_DIR!, 'sandbox').get('sandbox'))!
    for (const secret of [current.accessToken!, current.refreshToken!, current.dpopKey!.d]) expect(run.stderr).not.to.include(secret)
    // A proof is a compact JWS (three dot-separated parts, the first "eyJ…"): none of any kind is printed. (Not just "eyJ":
    // a random DPoP-Nonce, which is not a secret, may contain those three letters.)
    const jws = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/.exec(run.stderr)
    expect(jws, jws ? `a JWS after: ${run.stderr.slice(Math.max(0, jws.index - 120), jws.index)}` : '').to.equal(null)
  })

  it('signs in a service principal with a certificate and --dpop: a bound token that commands use', async () => {
    const created = await runCli(
      ['sandbox', 'sp', 'create', '--tenant', 'contoso', '--name', 'dpop-e2e', '--out', join(m.home, 'sp'), '--data-dir', platform.dataDir, '--json'],
      platform.cli.env,
      'pfx-pass\n',
    )
    expect(created.code, created.stderr).to.equal(0)
    const sp = JSON.parse(created.stdout) as {clientId: string; pemFile: string}
    const login = await runCli(
      [
        'auth',
        'login',
        '--profile',
        'ci',
        '--from',
        'sandbox',
        '--certificate',
        sp.pemFile,
        '--client-id',
        sp.clientId,
        '--tenant',
        'contoso',
        '--dpop',
        '--json',
      ],
      m.env,
    )
    expect(login.code, login.stderr).to.equal(0)
    expect(JSON.parse(login.stdout)).to.include({method: 'certificate', dpop: true})
    const stored = (await new FileStore(m.env.PPCTL_CONFIG_DIR!, 'ci').get('ci'))!
    const {d: _d, ...publicJwk} = stored.dpopKey!
    expect(decodeJwt(stored.accessToken!).cnf).to.deep.equal({jkt: await calculateJwkThumbprint(publicJwk)})
    const route = await runCli(['route', 'show', '--profile', 'ci', '--refresh', '--json'], m.env)
    expect(route.code, route.stderr).to.equal(0)
  })

  it('with the OS keychain (a real Secret Service): the key is in the keychain record with the tokens, and on no disk in clear', async () => {
    const scratch = makeScratchHome()
    try {
      const {summary: run} = await runSessionFixture<{
        attach: number
        login: {code: number; stdout: string; stderr: string}
        list: {code: number; stderr: string}
        hasKey: boolean
        hasToken: boolean
        filesWithKey: string[]
      }>('test/lib/auth/fixtures/keychain-dpop-session.ts', platform.dataDir, scratch.env)
      expect(run.attach).to.equal(0)
      expect(run.login.code, run.login.stderr).to.equal(0)
      expect(JSON.parse(run.login.stdout)).to.include({credentialStore: 'keychain', dpop: true})
      expect(run.list.code, run.list.stderr).to.equal(0)
      expect(run.hasKey && run.hasToken).to.equal(true)
      // The keyring's own file under HOME is encrypted: the key's private part is in no file in clear.
      expect(run.filesWithKey).to.deep.equal([])
    } finally {
      scratch.cleanup()
    }
  })

  it('logout revokes the bound refresh token and deletes the key with the tokens', async () => {
    const other = await machine(platform)
    try {
      const login = await deviceLogin(other.env, ['--dpop'], approveWithCli(platform, 'maker@fabrikam.example'))
      expect(login.code, login.stderr).to.equal(0)
      const store = new FileStore(other.env.PPCTL_CONFIG_DIR!, 'sandbox')
      const d = (await store.get('sandbox'))!.dpopKey!.d
      const logout = await runCli(['auth', 'logout', '--json'], other.env)
      expect(logout.code, logout.stderr).to.equal(0)
      expect(JSON.parse(logout.stdout).profiles[0]).to.include({revoked: true})
      expect(await store.get('sandbox')).to.equal(undefined)
      expect(filesContaining(other.home, d)).to.deep.equal([])
    } finally {
      other.cleanup()
    }
  })
})
