// `ppctl auth login` in-process against a nock'd identity provider: device code (prompt, --json line, polling) and certificate.
import {expect} from 'chai'
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {decodeJwt, decodeProtectedHeader} from 'jose'
import forge from 'node-forge'

import AuthLogin from '../../../src/commands/auth/login.js'
import type {LoginResult} from '../../../src/lib/auth/login.js'
import {issueCertificate, rsaKeyPair} from '../../../src/sandbox/tls.js'
import {runCommand} from '../../helpers/command.js'
import {AUTHORITY, fakePlatform, type FakePlatform} from '../../helpers/fake-platform.js'
import {expectNoSecrets, identityProvider, jwt, METADATA} from '../../helpers/fake-idp.js'

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
const ACCESS = jwt({iss: AUTHORITY, tid: 'tenant-7', upn: 'new.admin@contoso.example'})
const DEVICE = {device_code: 'device-code-secret', user_code: 'WDJB-MJHT', verification_uri: `${AUTHORITY}/device`, expires_in: 600, interval: 5}

describe('auth login (in-process)', function () {
  this.timeout(60_000)
  let p: FakePlatform
  afterEach(() => p.done())

  /** The profile "work" before any sign-in: its settings only. */
  const notYetSignedIn = async (t: FakePlatform) => {
    t.credentials.entries.clear()
    await t.ctx.config().update((c) => {
      for (const k of ['account', 'tenantId', 'authMethod'] as const) delete c.profiles.work[k]
    })
  }

  describe('device code', () => {
    /** Discovery, device authorization, one authorization_pending, then the tokens. */
    const deviceProvider = (device = DEVICE) => {
      const polls: Array<Record<string, string>> = []
      let authorization: Record<string, string> = {}
      identityProvider()
        .post('/device/auth', (body: Record<string, string>) => ((authorization = body), true))
        .reply(200, device)
        .post('/token', (body: Record<string, string>) => (polls.push(body), true))
        .reply(400, {error: 'authorization_pending'}, {'content-type': 'application/json'})
        .post('/token', (body: Record<string, string>) => (polls.push(body), true))
        .reply(200, {access_token: ACCESS, token_type: 'Bearer', expires_in: 3600, refresh_token: 'rotated-refresh-token'})
      return {polls, authorization: () => authorization}
    }

    for (const tty of [false, true]) {
      it(`shows the address, its host and the code on stderr, polls on the clock, stores the tokens (${tty ? 'terminal' : 'pipe'})`, async () => {
        p = await fakePlatform({tty})
        await notYetSignedIn(p)
        const idp = deviceProvider()
        const res = await runCommand(AuthLogin, [], p)
        expect(res.code, res.stderr).to.equal(0)
        // At a terminal the notes are wrapped at spaces to its width: read them with the wrapped lines joined.
        const said = tty ? res.stderr.replace(/\n +/g, ' ') : res.stderr
        expect(said).to.contain(`To sign in, open ${AUTHORITY}/device in a browser (host: login.example.com)`)
        expect(said).to.contain('and enter the code: WDJB-MJHT')
        expect(said).to.contain('The code expires in 10 minutes.')
        expect(res.stdout).to.equal('Signed in to profile "work" as new.admin@contoso.example (tenant tenant-7).\nTokens are kept in: memory (test).\n')
        expect(idp.authorization()).to.include({client_id: 'ppctl', scope: 'openid profile offline_access api'})
        expect(idp.polls).to.have.length(2)
        expect(idp.polls[0]).to.include({grant_type: DEVICE_CODE_GRANT, device_code: 'device-code-secret'})
        // The provider's interval, on the injected clock: no real sleeping.
        expect(p.clock.sleeps).to.deep.equal([5000, 5000])
        expect(p.credentials.entries.get('work')).to.deep.equal({
          accessToken: ACCESS,
          accessTokenExpiresAt: p.clock.now() + 3600_000,
          refreshToken: 'rotated-refresh-token',
        })
        const profile = (await p.ctx.config().read()).profiles.work
        expect(profile).to.include({
          account: 'new.admin@contoso.example',
          tenantId: 'tenant-7',
          authMethod: 'device-code',
          tokenExpiresAt: new Date(p.clock.now() + 3600_000).toISOString(),
        })
        expect(JSON.stringify(profile)).not.to.contain('rotated-refresh-token').and.not.to.contain(ACCESS)
        expectNoSecrets(res)
        expect(res.stdout + res.stderr).not.to.contain(ACCESS)
      })
    }

    it('--json: the code as a JSON line on stderr, the result on stdout; never the device code or a token, even with --debug', async () => {
      p = await fakePlatform({debug: true})
      await notYetSignedIn(p)
      deviceProvider()
      const res = await runCommand(AuthLogin, ['--json', '--debug'], p)
      expect(res.code, res.stderr).to.equal(0)
      const line = res.stderr.split('\n').find((l) => l.startsWith('{'))
      expect(JSON.parse(line!)).to.deep.equal({
        event: 'device_code',
        verificationUri: `${AUTHORITY}/device`,
        host: 'login.example.com',
        userCode: 'WDJB-MJHT',
        expiresIn: 600,
        interval: 5,
      })
      expect(res.json<LoginResult>()).to.deep.equal({
        profile: 'work',
        method: 'device-code',
        account: 'new.admin@contoso.example',
        tenantId: 'tenant-7',
        authority: AUTHORITY,
        clientId: 'ppctl',
        expiresAt: new Date(p.clock.now() + 3600_000).toISOString(),
        credentialStore: 'memory',
        credentialLocation: 'memory (test)',
        dpop: false,
        warnings: [],
      })
      expect(res.stderr).to.contain('[debug] HTTP')
      expectNoSecrets(res)
      expect(res.stdout + res.stderr).not.to.contain(ACCESS)
    })

    it('--authority and --client-id create a new profile and are saved with the sign-in', async () => {
      p = await fakePlatform({profile: 'fresh'})
      deviceProvider()
      const res = await runCommand(AuthLogin, ['--authority', `${AUTHORITY}/`, '--client-id', 'ppctl', '--json'], p)
      expect(res.code, res.stderr).to.equal(0)
      expect((await p.ctx.config().read()).profiles.fresh).to.include({authority: AUTHORITY, clientId: 'ppctl', authMethod: 'device-code'})
      expect(p.credentials.entries.get('fresh')?.refreshToken).to.equal('rotated-refresh-token')
    })

    it('declined at the sign-in page: exit 3, nothing stored', async () => {
      p = await fakePlatform()
      await notYetSignedIn(p)
      identityProvider().post('/device/auth').reply(200, DEVICE).post('/token').reply(400, {error: 'access_denied'}, {'content-type': 'application/json'})
      const res = await runCommand(AuthLogin, [], p)
      expect(res.code).to.equal(3)
      expect(res.stdout).to.equal('')
      expect(res.stderr).to.contain('The sign-in was declined at the sign-in page; nothing was stored.')
      expect(p.credentials.entries.size).to.equal(0)
      expect((await p.ctx.config().read()).profiles.work).not.to.have.property('authMethod')
      expectNoSecrets(res)
    })

    it('the code expires before approval: exit 4, nothing stored', async () => {
      p = await fakePlatform()
      await notYetSignedIn(p)
      identityProvider()
        .post('/device/auth')
        .reply(200, {...DEVICE, expires_in: 6})
        .post('/token')
        .reply(400, {error: 'authorization_pending'}, {'content-type': 'application/json'})
      const res = await runCommand(AuthLogin, ['--json'], p)
      expect(res.code).to.equal(4)
      expect(res.json<{error: Record<string, unknown>}>().error).to.include({code: 'DEVICE_CODE_EXPIRED', exitCode: 4})
      expect(p.credentials.entries.size).to.equal(0)
    })

    it('a verification address on another host is never shown: refused before any prompt, nothing stored', async () => {
      p = await fakePlatform()
      await notYetSignedIn(p)
      identityProvider()
        .post('/device/auth')
        .reply(200, {...DEVICE, verification_uri: 'https://login.example.com.evil.example/device'})
      const res = await runCommand(AuthLogin, [], p)
      expect(res.code).not.to.equal(0)
      expect(res.stderr).to.match(/^Error: The identity provider sent a verification URI ppctl will not show: its host login\.example\.com\.evil\.example/)
      expect(res.stderr).not.to.contain('enter the code')
      expect(p.credentials.entries.size).to.equal(0)
    })

    it('an http authority: exit 2 before any request', async () => {
      p = await fakePlatform()
      const res = await runCommand(AuthLogin, ['--authority', 'http://login.example.com', '--client-id', 'ppctl'], p)
      expect(res.code).to.equal(2)
      expect(res.stderr).to.contain('The authority must use https, not http.')
    })
  })

  describe('certificate', () => {
    let dir: string
    let pemFile: string
    let key: {privatePem: string; publicPem: string}

    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'ppctl-login-cert-'))
      key = rsaKeyPair()
    })
    after(() => rmSync(dir, {recursive: true, force: true}))

    /** A client certificate valid at the fake clock's time, written with `mode`. */
    const writeCert = (t: FakePlatform, mode = 0o600) => {
      const cert = issueCertificate({
        subjectCN: 'ci',
        publicPem: key.publicPem,
        signerKeyPem: key.privatePem,
        days: 30,
        clientAuth: true,
        notBefore: new Date(t.clock.now() - 86_400_000),
      })
      pemFile = join(dir, `ci-${mode.toString(8)}.pem`)
      writeFileSync(pemFile, forge.pki.certificateToPem(cert) + key.privatePem)
      chmodSync(pemFile, mode)
      return pemFile
    }
    const certProvider = () => {
      let sent: Record<string, string> = {}
      identityProvider(1, {...METADATA, token_endpoint_auth_signing_alg_values_supported: ['PS256', 'RS256']})
        .post('/token', (body: Record<string, string>) => ((sent = body), true))
        .reply(200, {access_token: jwt({iss: AUTHORITY, tid: 'contoso-tid', appid: 'sp-1234'}), token_type: 'Bearer', expires_in: 3599})
      return () => sent
    }

    it('client credentials with a signed assertion; the profile records the certificate, never the key', async () => {
      p = await fakePlatform({tty: true})
      await notYetSignedIn(p)
      const file = writeCert(p)
      const sent = certProvider()
      const res = await runCommand(AuthLogin, ['--certificate', file, '--client-id', 'sp-1234', '--tenant', 'contoso'], p)
      expect(res.code, res.stderr).to.equal(0)
      expect(res.stdout).to.contain('Signed in to profile "work" as sp-1234 (tenant contoso-tid).')
      expect(sent()).to.include({grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'})
      const header = decodeProtectedHeader(sent().client_assertion)
      expect(header.alg).to.equal('PS256')
      expect(header).to.have.property('x5t#S256')
      expect(decodeJwt(sent().client_assertion)).to.include({iss: 'sp-1234', sub: 'sp-1234', aud: AUTHORITY})
      const profile = (await p.ctx.config().read()).profiles.work
      expect(profile).to.include({authMethod: 'certificate', certificatePath: file, clientId: 'sp-1234', tenant: 'contoso', account: 'sp-1234'})
      expect(profile.certificateThumbprint).to.match(/^[0-9A-F]{40}$/)
      expect(JSON.stringify(profile)).not.to.contain('PRIVATE KEY')
      expect(p.credentials.entries.get('work')).not.to.have.property('refreshToken')
      expect(res.stdout + res.stderr)
        .not.to.contain(sent().client_assertion)
        .and.not.to.contain('PRIVATE KEY')
      expectNoSecrets(res)
    })

    it('--json; a key file readable by others is warned about in the result and on stderr', async () => {
      p = await fakePlatform()
      await notYetSignedIn(p)
      const file = writeCert(p, 0o644)
      certProvider()
      const res = await runCommand(AuthLogin, ['--certificate', file, '--client-id', 'sp-1234', '--tenant', 'contoso', '--json'], p)
      expect(res.code, res.stderr).to.equal(0)
      const out = res.json<LoginResult>()
      expect(out).to.include({method: 'certificate', account: 'sp-1234', clientId: 'sp-1234', tenantId: 'contoso-tid'})
      expect(out.warnings).to.have.length(1)
      expect(res.stderr).to.contain(`Warning: ${out.warnings[0]}`)
      expect(out.warnings[0]).to.contain(file)
      expect(out.certificateThumbprint).to.match(/^[0-9A-F]{40}$/)
    })

    it('--certificate without --tenant: exit 2 before reading the file or any request', async () => {
      p = await fakePlatform()
      const res = await runCommand(AuthLogin, ['--certificate', join(dir, 'missing.pem'), '--client-id', 'sp-1234'], p)
      expect(res.code).to.equal(2)
      expect(res.stderr).to.contain('A certificate sign-in needs --client-id and --tenant.')
    })

    it('the provider refuses the assertion (invalid_client): exit 4, nothing stored', async () => {
      p = await fakePlatform()
      await notYetSignedIn(p)
      const file = writeCert(p)
      identityProvider(1, {...METADATA, token_endpoint_auth_signing_alg_values_supported: ['PS256']})
        .post('/token')
        .reply(401, {error: 'invalid_client', error_description: 'client authentication failed'}, {'content-type': 'application/json'})
      const res = await runCommand(AuthLogin, ['--certificate', file, '--client-id', 'sp-1234', '--tenant', 'contoso'], p)
      expect(res.code).to.equal(4)
      expect(res.stderr).to.match(/^Error: /)
      expect(p.credentials.entries.size).to.equal(0)
    })
  })
})
