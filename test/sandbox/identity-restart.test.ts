// The identity's state across a restart on the same data dir: signing keys, grants and refresh tokens survive.
import {statSync} from 'node:fs'
import {join} from 'node:path'

import {expect} from 'chai'
import {createLocalJWKSet, jwtVerify} from 'jose'
import * as client from 'openid-client'

import {approveDevice} from '../../src/lib/sandbox/approve-device.js'
import {API_AUDIENCE, CLI_CLIENT_ID} from '../../src/sandbox/seed.js'
import {startIdentity, type IdentityHarness} from '../helpers/identity-server.js'

const UPN = 'user@fabrikam.example'

describe('sandbox identity: restart', () => {
  let h: IdentityHarness

  before(async () => {
    h = await startIdentity()
  })

  after(async () => {
    await h?.close()
  })

  it('keeps its signing keys and honours refresh tokens issued before the restart', async () => {
    const config = await client.discovery(new URL(h.issuer), CLI_CLIENT_ID, undefined, client.None(), {[client.customFetch]: h.fetch})
    const device = await client.initiateDeviceAuthorization(config, {scope: 'openid offline_access api'})
    await approveDevice(h.fetch, {authority: h.issuer, userCode: device.user_code, upn: UPN, password: h.password(UPN)})
    const tokens = await client.pollDeviceAuthorizationGrant(config, {...device, interval: 0})
    const keysBefore = h.identity.publicJwks()

    for (const file of ['jwks.json', 'cookie-keys.json', 'state.json']) {
      expect(statSync(join(h.dir, 'identity', file)).mode & 0o777, file).to.equal(0o600)
    }

    await h.restart()

    expect(h.identity.publicJwks()).to.deep.equal(keysBefore)
    const {payload} = await jwtVerify(tokens.access_token, createLocalJWKSet(h.identity.publicJwks() as never), {issuer: h.issuer, audience: API_AUDIENCE})
    expect(payload.upn).to.equal(UPN)

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!)
    expect(refreshed.refresh_token).to.be.a('string').and.not.equal(tokens.refresh_token)
    const {payload: after} = await jwtVerify(refreshed.access_token, createLocalJWKSet(h.identity.publicJwks() as never), {
      issuer: h.issuer,
      audience: API_AUDIENCE,
    })
    expect(after).to.include({upn: UPN, sub: payload.sub})
    expect(refreshed.claims()?.upn).to.equal(UPN)
  })

  it('remembers after a restart that a rotated refresh token was used', async () => {
    const config = await client.discovery(new URL(h.issuer), CLI_CLIENT_ID, undefined, client.None(), {[client.customFetch]: h.fetch})
    const device = await client.initiateDeviceAuthorization(config, {scope: 'openid offline_access api'})
    await approveDevice(h.fetch, {authority: h.issuer, userCode: device.user_code, upn: UPN, password: h.password(UPN)})
    const first = await client.pollDeviceAuthorizationGrant(config, {...device, interval: 0})
    await client.refreshTokenGrant(config, first.refresh_token!)

    await h.restart()

    const err = await client.refreshTokenGrant(config, first.refresh_token!).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).to.be.instanceOf(client.ResponseBodyError)
    expect((err as client.ResponseBodyError).error).to.equal('invalid_grant')
  })
})
