// lib never writes warnings to a stream itself: they reach the context's reporter, rendered and sanitized.
import {expect} from 'chai'
import {chmodSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import forge from 'node-forge'

import {createContext} from '../../../src/lib/context.js'
import {resolvePaths} from '../../../src/lib/config/paths.js'
import {toTerminalText, type Rendered} from '../../../src/lib/output/render.js'
import {issueCertificate, rsaKeyPair} from '../../../src/sandbox/tls.js'
import {makeScratchHome, type ScratchHome} from '../../helpers/keyring.js'
import {fakeIO} from '../../helpers/fake-io.js'
import {rejection} from '../../helpers/rejection.js'

describe('lib warnings go to the injected reporter', function () {
  this.timeout(60_000)
  let scratch: ScratchHome
  beforeEach(() => (scratch = makeScratchHome()))
  afterEach(() => scratch.cleanup())

  function recordingContext(env: NodeJS.ProcessEnv) {
    const io = fakeIO()
    const warnings: Rendered[] = []
    const ctx = createContext({
      version: '0.0.0-test',
      env,
      io: io.io,
      paths: resolvePaths(env),
      profileFlag: 'dev',
      reporter: {warn: (w) => void warnings.push(w)},
    })
    return {ctx, io, warnings}
  }

  it('the insecure-storage warning: once per run, for the profile in use only, to the reporter, nothing written to the streams', async () => {
    const {ctx, io, warnings} = recordingContext({...scratch.env, PPCTL_CREDENTIAL_STORE: 'file'})
    // auth status reads every profile's store: only the one in use (--profile dev) is warned about, once.
    await ctx.credentials().open({profile: 'other'})
    const store = await ctx.credentials().open({profile: 'dev'})
    await ctx.credentials().open({profile: 'dev'})
    await ctx.credentials().open({profile: 'third'})
    expect(warnings.map((w) => toTerminalText(w))).to.have.length(1)
    expect(toTerminalText(warnings[0]))
      .to.include(store.location)
      .and.include('unencrypted')
      .and.include('ppctl config set credential-store keychain --profile dev')
    expect(io.stderrText()).to.equal('')
    expect(io.stdoutText()).to.equal('')
  })

  it("a certificate file readable by others: the CI warning reaches the reporter with the file's name sanitized", async () => {
    const key = rsaKeyPair()
    const cert = issueCertificate({subjectCN: 'ci', publicPem: key.publicPem, signerKeyPem: key.privatePem, days: 30, clientAuth: true})
    const file = join(scratch.home, 'ci\u001b[31m\u202e.pem')
    writeFileSync(file, forge.pki.certificateToPem(cert) + key.privatePem)
    chmodSync(file, 0o644)
    // An http authority is refused after the certificate is loaded and before any request: no network needed.
    const {ctx, io, warnings} = recordingContext({...scratch.env, PPCTL_AUTHORITY: 'http://127.0.0.1'})
    const err = await rejection(ctx.tokens().ci({clientId: 'ci', tenant: 'contoso', certificatePath: file}))
    expect(err).to.have.property('code', 'INSECURE_AUTHORITY')
    expect(warnings).to.have.length(1)
    const warning = toTerminalText(warnings[0])
    expect(warning).to.match(/^Warning: The certificate file .*\/ci\.pem holds a private key and is readable by other users \(mode 644\)/)
    expect(warning).not.to.match(/[\u001b\u202e]/)
    expect(io.stderrText()).to.equal('')
  })

  it('PPCTL_NO_WARNINGS=1 silences the insecure-storage warning (0 and empty do not)', async () => {
    for (const [value, expected] of [
      ['1', 0],
      ['0', 1],
      ['', 1],
    ] as const) {
      const {ctx, warnings} = recordingContext({...scratch.env, PPCTL_CREDENTIAL_STORE: 'file', PPCTL_NO_WARNINGS: value})
      await ctx.credentials().open({profile: 'dev'})
      expect(warnings, `PPCTL_NO_WARNINGS=${value}`).to.have.length(expected)
    }
  })

  it('a context built without a reporter prints the same warning on its own stderr', async () => {
    const io = fakeIO()
    const env = {...scratch.env, PPCTL_CREDENTIAL_STORE: 'file'}
    const ctx = createContext({version: '0.0.0-test', env, io: io.io, paths: resolvePaths(env), profileFlag: 'dev'})
    const store = await ctx.credentials().open({profile: 'dev'})
    expect(io.stderrText()).to.equal(
      `Warning: ppctl keeps the tokens of profile "dev" unencrypted in ${store.location} (insecure storage). To move them to the OS keychain: ppctl config set credential-store keychain --profile dev, unset PPCTL_CREDENTIAL_STORE, and sign in again without --insecure-storage.\n`,
    )
  })
})
