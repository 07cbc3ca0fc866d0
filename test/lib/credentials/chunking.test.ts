// The keychain store's record layout on an in-memory keyring: pieces, slots, leftovers, surrogate pairs.
import {expect} from 'chai'

import {KeychainStore} from '../../../src/lib/credentials/keychain-store.js'
import type {KeyringBackend} from '../../../src/lib/credentials/index.js'

function memoryKeyring(): KeyringBackend & {entries: Map<string, string>} {
  const entries = new Map<string, string>()
  return {
    entries,
    get: async (a) => entries.get(a) ?? null,
    set: async (a, v) => void entries.set(a, v),
    delete: async (a) => entries.delete(a),
    close: () => {},
  }
}

describe('keychain store layout', () => {
  it('splits a record into pieces of at most the chunk size and reassembles it', async () => {
    const keyring = memoryKeyring()
    const store = new KeychainStore(keyring, 'test', 16)
    const credentials = {accessToken: 'a'.repeat(100), refreshToken: '🔑'.repeat(20), accessTokenExpiresAt: 5}
    await store.set('p', credentials)
    expect(await store.get('p')).to.deep.equal(credentials)
    for (const [account, value] of keyring.entries) if (account !== 'p') expect(value.length, account).to.be.at.most(16)
  })

  it('never stores unknown fields', async () => {
    const keyring = memoryKeyring()
    const store = new KeychainStore(keyring, 'test', 1200)
    await store.set('p', {refreshToken: 'r', extra: 'x'} as never)
    expect(await store.get('p')).to.deep.equal({refreshToken: 'r'})
  })

  it('keeps a DPoP key in the same record as the tokens (in pieces like them), and drops one that is not a P-256 private JWK', async () => {
    const keyring = memoryKeyring()
    const store = new KeychainStore(keyring, 'test', 64)
    const dpopKey = {kty: 'EC', crv: 'P-256', x: 'x'.repeat(43), y: 'y'.repeat(43), d: 'd'.repeat(43)} as const
    await store.set('p', {accessToken: 'a', refreshToken: 'r', dpopKey})
    expect(await store.get('p')).to.deep.equal({accessToken: 'a', refreshToken: 'r', dpopKey})
    expect([...keyring.entries.keys()].every((account) => account === 'p' || account.startsWith('p#a.'))).to.equal(true)
    await store.set('p', {accessToken: 'a', dpopKey: {...dpopKey, crv: 'P-384', extra: 1}} as never)
    expect(await store.get('p')).to.deep.equal({accessToken: 'a'})
    await store.set('p', {accessToken: 'a', dpopKey: {kty: 'EC', crv: 'P-256', x: 'x', y: 'y'}} as never)
    expect(await store.get('p')).to.deep.equal({accessToken: 'a'})
  })

  it('delete removes the header, every piece and leftovers of an interrupted write', async () => {
    const keyring = memoryKeyring()
    const store = new KeychainStore(keyring, 'test', 16)
    await store.set('p', {accessToken: 'x'.repeat(200)})
    keyring.entries.set('p#b.1', 'torn')
    keyring.entries.set('p#b.2', 'torn')
    await store.set('q', {accessToken: 'keep'})
    await store.delete('p')
    expect([...keyring.entries.keys()].filter((k) => k.startsWith('p'))).to.deep.equal([])
    expect(await store.get('q')).to.deep.equal({accessToken: 'keep'})
  })

  it('a missing piece or a damaged header reads as no credentials', async () => {
    const keyring = memoryKeyring()
    const store = new KeychainStore(keyring, 'test', 16)
    await store.set('p', {accessToken: 'x'.repeat(100)})
    keyring.entries.delete('p#a.2')
    expect(await store.get('p')).to.equal(undefined)
    keyring.entries.set('p', 'not json')
    expect(await store.get('p')).to.equal(undefined)
  })
})
