// Certificate loading (PEM, encrypted PEM, PFX) and its one-line errors; the client assertion it signs.
import {expect} from 'chai'
import {createPrivateKey, createPublicKey} from 'node:crypto'
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {compactVerify, decodeJwt, decodeProtectedHeader} from 'jose'
import forge from 'node-forge'

import {loadCertificateFile, type ClientCertificate} from '../../../src/lib/auth/certificate.js'
import {ASSERTION_LIFETIME_SECONDS, chooseAssertionAlg, signClientAssertion} from '../../../src/lib/auth/client-assertion.js'
import {ExitCode, UsageError, type PpctlError} from '../../../src/lib/errors/index.js'
import {certificateDer, issueCertificate, rsaKeyPair, thumbprints} from '../../../src/sandbox/tls.js'
import {rejection} from '../../helpers/rejection.js'

const DAY = 86_400_000

describe('client certificates', function () {
  this.timeout(60_000)
  let dir: string
  let key: {privatePem: string; publicPem: string}
  let other: {privatePem: string; publicPem: string}
  let certPem: string
  let sha1: string
  let s256: string

  const noPassword = async (): Promise<string> => {
    throw new UsageError('SECRET_REQUIRED', 'No certificate password was given.')
  }
  const given = (pw: string) => async () => pw
  const write = (name: string, data: string | Buffer, mode = 0o600) => {
    const file = join(dir, name)
    writeFileSync(file, data)
    chmodSync(file, mode)
    return file
  }
  /** One line, the file and the thumbprint named, no key material. */
  function expectOneLineError(err: PpctlError, file: string, thumbprint: string | undefined) {
    expect(err.message).not.to.contain('\n')
    expect(err.message).to.contain(file)
    if (thumbprint) expect(err.message).to.contain(thumbprint)
    for (const text of [err.message, err.nextStep ?? '']) {
      expect(text).not.to.match(/PRIVATE KEY|MII[A-Za-z0-9+/]{20}/)
    }
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ppctl-cert-'))
    key = rsaKeyPair()
    other = rsaKeyPair()
    const cert = issueCertificate({subjectCN: 'ci', publicPem: key.publicPem, signerKeyPem: key.privatePem, days: 30, clientAuth: true})
    certPem = forge.pki.certificateToPem(cert)
    ;({sha1, s256} = thumbprints(certificateDer(cert)))
    sha1 = sha1.replace(/:/g, '').toUpperCase()
  })
  after(() => rmSync(dir, {recursive: true, force: true}))

  it('loads a PEM with certificate and key: SHA-1 thumbprint and x5t#S256', async () => {
    const file = write('ok.pem', certPem + key.privatePem)
    const cert = await loadCertificateFile(file, {password: noPassword, now: Date.now()})
    expect(cert.thumbprint).to.equal(sha1)
    expect(cert.thumbprintS256).to.equal(s256)
    expect(cert.warnings).to.deep.equal([])
  })

  it('warns when the key file is readable by others', async () => {
    const file = write('open.pem', certPem + key.privatePem, 0o644)
    const cert = await loadCertificateFile(file, {password: noPassword, now: Date.now()})
    expect(cert.warnings).to.have.length(1)
    expect(cert.warnings[0]).to.contain(file).and.to.contain('644').and.to.contain('chmod 600')
  })

  it('an expired certificate: exit 4, CERTIFICATE_EXPIRED, file and thumbprint named', async () => {
    const file = write('expired.pem', certPem + key.privatePem)
    const err = await rejection(loadCertificateFile(file, {password: noPassword, now: Date.now() + 40 * DAY}))
    expect(err.code).to.equal('CERTIFICATE_EXPIRED')
    expect(err.exitCode).to.equal(ExitCode.AUTH_REQUIRED)
    expectOneLineError(err, file, sha1)
  })

  it('a certificate not valid yet: CERTIFICATE_NOT_YET_VALID', async () => {
    const file = write('future.pem', certPem + key.privatePem)
    const err = await rejection(loadCertificateFile(file, {password: noPassword, now: Date.now() - 2 * DAY}))
    expect(err.code).to.equal('CERTIFICATE_NOT_YET_VALID')
    expectOneLineError(err, file, sha1)
  })

  it('a key that does not match: exit 2, CERTIFICATE_KEY_MISMATCH', async () => {
    const file = write('mismatch.pem', certPem + other.privatePem)
    const err = await rejection(loadCertificateFile(file, {password: noPassword, now: Date.now()}))
    expect(err.code).to.equal('CERTIFICATE_KEY_MISMATCH')
    expect(err.exitCode).to.equal(ExitCode.USAGE)
    expectOneLineError(err, file, sha1)
  })

  it('an encrypted PEM key: refused without a password, refused with a wrong one, loaded with the right one', async () => {
    const encrypted = createPrivateKey(key.privatePem).export({type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right'}).toString()
    const file = write('encrypted.pem', certPem + encrypted)
    const missing = await rejection(loadCertificateFile(file, {password: noPassword, now: Date.now()}))
    expect(missing.code).to.equal('CERTIFICATE_PASSWORD_REQUIRED')
    expect(missing.nextStep).to.contain('PPCTL_CERTIFICATE_PASSWORD')
    expectOneLineError(missing, file, sha1)
    const wrong = await rejection(loadCertificateFile(file, {password: given('wrong'), now: Date.now()}))
    expect(wrong.code).to.equal('CERTIFICATE_PASSWORD_INVALID')
    expectOneLineError(wrong, file, sha1)
    expect(wrong.message).not.to.contain('wrong')
    const cert = await loadCertificateFile(file, {password: given('right'), now: Date.now()})
    expect(cert.thumbprint).to.equal(sha1)
  })

  it('a PFX: loaded with its password; a wrong password is one line naming the file', async () => {
    const forgeCert = forge.pki.certificateFromPem(certPem)
    const rsa = forge.pki.privateKeyFromPem(createPrivateKey(key.privatePem).export({type: 'pkcs1', format: 'pem'}).toString())
    const der = forge.asn1.toDer(forge.pkcs12.toPkcs12Asn1(rsa, [forgeCert], 'pfx-pw', {algorithm: '3des'})).getBytes()
    const file = write('ci.pfx', Buffer.from(der, 'binary'))
    const cert = await loadCertificateFile(file, {password: given('pfx-pw'), now: Date.now()})
    expect(cert.thumbprintS256).to.equal(s256)
    const wrong = await rejection(loadCertificateFile(file, {password: given('nope'), now: Date.now()}))
    expect(wrong.code).to.equal('CERTIFICATE_PASSWORD_INVALID')
    expectOneLineError(wrong, file, undefined)
    const missing = await rejection(loadCertificateFile(file, {password: noPassword, now: Date.now()}))
    expect(missing.code).to.equal('CERTIFICATE_PASSWORD_REQUIRED')
  })

  it('a missing file or one without a key: usage errors naming it', async () => {
    const none = await rejection(loadCertificateFile(join(dir, 'absent.pem'), {password: noPassword, now: Date.now()}))
    expect(none.code).to.equal('CERTIFICATE_UNREADABLE')
    const certOnly = write('cert-only.pem', certPem)
    const noKey = await rejection(loadCertificateFile(certOnly, {password: noPassword, now: Date.now()}))
    expect(noKey.code).to.equal('CERTIFICATE_KEY_MISSING')
    expectOneLineError(noKey, certOnly, sha1)
  })

  describe('client assertion', () => {
    let cert: ClientCertificate
    before(async () => {
      cert = await loadCertificateFile(write('assert.pem', certPem + key.privatePem), {password: noPassword, now: Date.now()})
    })

    it('PS256 when offered, RS256 only when PS256 is not', () => {
      expect(chooseAssertionAlg({token_endpoint_auth_signing_alg_values_supported: ['RS256', 'PS256']}, cert)).to.equal('PS256')
      expect(chooseAssertionAlg({token_endpoint_auth_signing_alg_values_supported: ['RS256', 'ES256']}, cert)).to.equal('RS256')
      expect(chooseAssertionAlg({}, cert)).to.equal('RS256')
      expect(() => chooseAssertionAlg({token_endpoint_auth_signing_alg_values_supported: ['ES256']}, cert)).to.throw(/PS256, RS256/)
    })

    it('carries x5t#S256, iss = sub = client id, one aud, a fresh jti, exp within 5 minutes, and verifies with the certificate', async () => {
      const now = Date.now()
      const input = {cert, alg: 'PS256' as const, clientId: 'sp-1', audience: 'https://login.example.com', now}
      const [a, b] = [await signClientAssertion(input), await signClientAssertion(input)]
      expect(decodeProtectedHeader(a)).to.deep.equal({alg: 'PS256', typ: 'JWT', 'x5t#S256': s256})
      const claims = decodeJwt(a)
      expect(claims).to.include({iss: 'sp-1', sub: 'sp-1', aud: 'https://login.example.com'})
      expect(claims.exp! - claims.iat!)
        .to.equal(ASSERTION_LIFETIME_SECONDS)
        .and.to.be.at.most(300)
      expect(claims.jti).to.be.a('string').and.not.equal(decodeJwt(b).jti)
      await compactVerify(a, createPublicKey(key.publicPem))
    })
  })
})
