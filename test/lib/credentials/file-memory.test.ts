// The opt-in file store, the memory store, and how a profile's store is chosen.
import {expect} from 'chai'
import {existsSync, readdirSync, statSync, writeFileSync, chmodSync, mkdirSync} from 'node:fs'
import {join} from 'node:path'

import {makeScratchHome, type ScratchHome} from '../../helpers/keyring.js'
import {openCredentialStore, selectCredentialStoreKind} from '../../../src/lib/credentials/index.js'
import {PpctlError} from '../../../src/lib/errors/index.js'
import {testContext} from '../../helpers/context.js'

describe('credential store selection and the file and memory stores', () => {
  let scratch: ScratchHome
  beforeEach(() => (scratch = makeScratchHome()))
  afterEach(() => scratch.cleanup())
  const config = () => join(scratch.home, 'config')

  it('file store: 0600 file in a 0700 folder, atomic, and a warning naming the file once per command run', async () => {
    const {ctx, stderr} = testContext({env: {...scratch.env, PPCTL_CREDENTIAL_STORE: 'file'}, pathsFromEnv: true, profile: 'dev'})
    const store = await ctx.credentials().open({profile: 'dev'})
    const file = join(config(), 'credentials', 'dev.json')
    expect(store.kind).to.equal('file')
    expect(store.location).to.equal(file)
    await store.set('dev', {refreshToken: 'SECRET-VALUE', accessTokenExpiresAt: 1})
    expect(statSync(file).mode & 0o777).to.equal(0o600)
    expect(statSync(join(config(), 'credentials')).mode & 0o777).to.equal(0o700)
    expect(readdirSync(join(config(), 'credentials'))).to.deep.equal(['dev.json'])
    expect(await store.get('dev')).to.deep.equal({refreshToken: 'SECRET-VALUE', accessTokenExpiresAt: 1})
    await ctx.credentials().open({profile: 'dev'})
    expect(stderr().trim().split('\n'), 'one warning per command run').to.have.length(1)
    const next = testContext({env: {...scratch.env, PPCTL_CREDENTIAL_STORE: 'file'}, pathsFromEnv: true, profile: 'dev'})
    await next.ctx.credentials().open({profile: 'dev'})
    const lines = [...stderr().trim().split('\n'), ...next.stderr().trim().split('\n')]
    expect(lines, 'the next command run warns again').to.have.length(2)
    for (const line of lines) {
      expect(line).to.include(file).and.include('unencrypted').and.include('keychain')
      expect(line).not.to.include('SECRET-VALUE')
    }
    await store.delete('dev')
    expect(existsSync(file)).to.equal(false)
  })

  it('file store: a file made readable by others is put back to 0600', async () => {
    const {ctx} = testContext({env: scratch.env, pathsFromEnv: true})
    const store = await openCredentialStore(ctx, {profile: 'dev', insecureStorage: true})
    await store.set('dev', {refreshToken: 'r'})
    chmodSync(store.location, 0o644)
    await store.get('dev')
    expect(statSync(store.location).mode & 0o777).to.equal(0o600)
  })

  it('memory store: round-trips within the process and writes nothing, no warning', async () => {
    const {ctx, stderr} = testContext({env: {...scratch.env, PPCTL_CREDENTIAL_STORE: 'memory'}, pathsFromEnv: true})
    const store = await ctx.credentials().open({profile: 'ci'})
    await store.set('ci', {accessToken: 'a'})
    expect(await (await ctx.credentials().open({profile: 'ci'})).get('ci')).to.deep.equal({accessToken: 'a'})
    await store.delete('ci')
    expect(await store.get('ci')).to.equal(undefined)
    expect(readdirSync(scratch.home)).to.deep.equal([])
    expect(stderr()).to.equal('')
  })

  it('chooses --insecure-storage, then PPCTL_CREDENTIAL_STORE, then the profile, then the keychain', async () => {
    mkdirSync(config(), {recursive: true})
    writeFileSync(join(config(), 'config.json'), JSON.stringify({version: 1, profiles: {m: {credentialStore: 'memory'}}}))
    const kind = (env: NodeJS.ProcessEnv, profile: string, insecureStorage?: boolean) =>
      selectCredentialStoreKind(testContext({env: {...scratch.env, ...env}, pathsFromEnv: true}).ctx, {profile, insecureStorage})
    expect(await kind({}, 'other')).to.equal('keychain')
    expect(await kind({}, 'm')).to.equal('memory')
    expect(await kind({PPCTL_CREDENTIAL_STORE: 'keychain'}, 'm')).to.equal('keychain')
    expect(await kind({PPCTL_CREDENTIAL_STORE: 'memory'}, 'm', true)).to.equal('file')
    const err = (await kind({PPCTL_CREDENTIAL_STORE: 'plaintext'}, 'm').catch((e: unknown) => e)) as PpctlError
    expect(err.code).to.equal('INVALID_CREDENTIAL_STORE')
    expect(err.exitCode).to.equal(2)
  })

  it('deleteSecrets clears the store in use and any insecure file left behind', async () => {
    const {ctx} = testContext({env: scratch.env, pathsFromEnv: true})
    const file = await openCredentialStore(ctx, {profile: 'p', insecureStorage: true})
    await file.set('p', {refreshToken: 'r'})
    const {ctx: memCtx} = testContext({env: {...scratch.env, PPCTL_CREDENTIAL_STORE: 'memory'}, pathsFromEnv: true})
    const mem = await memCtx.credentials().open({profile: 'p'})
    await mem.set('p', {refreshToken: 'm'})
    await memCtx.credentials().deleteSecrets('p')
    expect(await mem.get('p')).to.equal(undefined)
    expect(existsSync(file.location)).to.equal(false)
  })
})
