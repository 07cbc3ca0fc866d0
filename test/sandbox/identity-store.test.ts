// The identity's file store and adapter: writes survive a reload, expiry is honoured, grants are revoked as a whole.
import {mkdtempSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {expect} from 'chai'

import {Directory} from '../../src/sandbox/directory.js'
import {createAdapterFactory} from '../../src/sandbox/identity/adapter.js'
import {JsonFileStore} from '../../src/sandbox/identity/store.js'

describe('sandbox identity: file store and adapter', () => {
  let dir: string
  let now: number
  const clock = () => now

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ppctl-identity-store-'))
    now = 1_700_000_000_000
  })

  afterEach(() => {
    rmSync(dir, {recursive: true, force: true})
  })

  it('keeps every acknowledged write across a reload, in a 0600 file', () => {
    const file = join(dir, 'identity', 'state.json')
    const store = new JsonFileStore(file, clock)
    store.set('Session:a', {uid: 'u1', accountId: 'x'})
    store.set('Grant:g', {accountId: 'x'}, 60_000)
    store.update('Session:a', (p) => {
      p.accountId = 'y'
    })
    const reloaded = new JsonFileStore(file, clock)
    expect(reloaded.get('Session:a')).to.deep.equal({uid: 'u1', accountId: 'y'})
    expect(reloaded.get('Grant:g')).to.deep.equal({accountId: 'x'})
    expect(statSync(file).mode & 0o777).to.equal(0o600)
  })

  it('never returns an expired entry, before or after a reload', () => {
    const file = join(dir, 'state.json')
    const store = new JsonFileStore(file, clock)
    store.set('DeviceCode:d', {userCode: 'ABCD'}, 1000)
    expect(store.get('DeviceCode:d')).to.deep.equal({userCode: 'ABCD'})
    now += 1000
    expect(store.get('DeviceCode:d')).to.equal(undefined)
    expect(store.findKey('DeviceCode:', (p) => p.userCode === 'ABCD')).to.equal(undefined)
    expect(new JsonFileStore(file, clock).get('DeviceCode:d')).to.equal(undefined)
  })

  it('hands out copies, so a caller cannot change stored state without a write', () => {
    const store = new JsonFileStore(join(dir, 'state.json'), clock)
    store.set('Grant:g', {scope: 'openid'})
    const copy = store.get('Grant:g')!
    copy.scope = 'changed'
    expect(store.get('Grant:g')).to.deep.equal({scope: 'openid'})
  })

  it('finds by user code and uid, consumes, and revokes every token of a grant', async () => {
    const store = new JsonFileStore(join(dir, 'state.json'))
    const adapterFor = createAdapterFactory(store, Directory.open(dir), 15)
    const refresh = adapterFor('RefreshToken')
    const device = adapterFor('DeviceCode')
    const session = adapterFor('Session')
    await refresh.upsert('r1', {grantId: 'g1'}, 60)
    await refresh.upsert('r2', {grantId: 'g1'}, 60)
    await refresh.upsert('r3', {grantId: 'g2'}, 60)
    await device.upsert('d1', {grantId: 'g1', userCode: 'BCDFGHJK'}, 60)
    await session.upsert('s1', {uid: 'uid-1'}, 60)

    expect(await device.findByUserCode('BCDFGHJK')).to.include({grantId: 'g1'})
    expect(await session.findByUid('uid-1')).to.include({uid: 'uid-1'})
    await refresh.consume('r3')
    expect((await refresh.find('r3'))?.consumed).to.be.a('number')

    await refresh.revokeByGrantId('g1')
    expect(await refresh.find('r1')).to.equal(undefined)
    expect(await refresh.find('r2')).to.equal(undefined)
    expect(await refresh.find('r3')).to.include({grantId: 'g2'})
    expect(await device.find('d1'), 'another model keeps its own entries').to.include({grantId: 'g1'})
  })

  it('serves service principals from the directory as private_key_jwt clients', async () => {
    const directory = Directory.open(dir)
    const clients = createAdapterFactory(new JsonFileStore(join(dir, 'state.json')), directory, 15)('Client')
    expect(await clients.find('nobody')).to.equal(undefined)
    directory.addServicePrincipal({
      clientId: 'c1',
      tenantId: 't',
      name: 'bot',
      roles: [],
      jwk: {kty: 'RSA'},
      thumbprintS256: 'x',
      thumbprintSha1: 'y',
      notAfter: '',
      createdAt: '',
    })
    expect(await clients.find('c1')).to.deep.include({
      client_id: 'c1',
      token_endpoint_auth_method: 'private_key_jwt',
      grant_types: ['client_credentials'],
      jwks: {keys: [{kty: 'RSA'}]},
    })
  })
})
