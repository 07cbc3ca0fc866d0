// Device flow polling against a scripted token endpoint (nock) on an injected clock: waits, messages and exit codes.
import {expect} from 'chai'
import nock from 'nock'
import type * as OpenIdClient from 'openid-client'

import {checkVerificationUri, pollDeviceToken, startDeviceAuthorization} from '../../../src/lib/auth/device-flow.js'
import {ExitCode} from '../../../src/lib/errors/index.js'
import {createHttp} from '../../../src/lib/http/client.js'
import {customFetchFor} from '../../../src/lib/http/custom-fetch.js'
import {createDebugLog} from '../../../src/lib/io/debug-log.js'
import {fakeClock} from '../../helpers/fake-clock.js'
import {fakeIO} from '../../helpers/fake-io.js'
import {rejection} from '../../helpers/rejection.js'

const ISSUER = 'https://login.example.com'
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

// Loaded the way src/lib/auth loads it (dynamically): under tsx a static import is another module instance.
let client: typeof OpenIdClient
before(async () => {
  client = await import('openid-client')
})

function configuration(): OpenIdClient.Configuration {
  const config = new client.Configuration(
    {issuer: ISSUER, token_endpoint: `${ISSUER}/token`, device_authorization_endpoint: `${ISSUER}/device/auth`},
    'ppctl',
    undefined,
    client.None(),
  )
  config[client.customFetch] = customFetchFor(createHttp({env: {}, userAgent: 'ppctl/test', debug: createDebugLog(fakeIO().io, false)}))
  return config
}

const device = (extra: Record<string, unknown> = {}) =>
  ({
    device_code: 'dc-secret',
    user_code: 'ABCD-EFGH',
    verification_uri: `${ISSUER}/device`,
    expires_in: 600,
    ...extra,
  }) as OpenIdClient.DeviceAuthorizationResponse

const coded = (code: string) => Object.assign(new Error(code), {code})
const tokens = {access_token: 'at', token_type: 'Bearer', expires_in: 3600}
const oauthError = (error: string) => [400, {error}, {'content-type': 'application/json'}] as const

function tokenEndpoint() {
  return nock(ISSUER).post(
    '/token',
    (body: Record<string, string>) => body.grant_type === DEVICE_GRANT && body.device_code === 'dc-secret' && body.client_id === 'ppctl',
  )
}

describe('device flow polling', () => {
  afterEach(() => nock.cleanAll())

  it('waits 5 s before each poll when the provider gives no interval', async () => {
    const scope = tokenEndpoint()
      .reply(...oauthError('authorization_pending'))
      .post('/token')
      .reply(200, tokens)
    const clock = fakeClock()
    const res = await pollDeviceToken(configuration(), device(), {clock})
    expect(res.access_token).to.equal('at')
    expect(clock.sleeps).to.deep.equal([5000, 5000])
    scope.done()
  })

  it('honours the interval given, and adds 5 s at each slow_down, keeping it for later polls', async () => {
    const scope = tokenEndpoint()
      .reply(...oauthError('slow_down'))
      .post('/token')
      .reply(...oauthError('authorization_pending'))
      .post('/token')
      .reply(...oauthError('slow_down'))
      .post('/token')
      .reply(...oauthError('authorization_pending'))
      .post('/token')
      .reply(200, tokens)
    const clock = fakeClock()
    await pollDeviceToken(configuration(), device({interval: 2}), {clock})
    expect(clock.sleeps).to.deep.equal([2000, 7000, 7000, 12000, 12000])
    scope.done()
  })

  it('access_denied: exit 3 (cancelled), code ACCESS_DENIED, after one wait', async () => {
    const scope = tokenEndpoint().reply(...oauthError('access_denied'))
    const clock = fakeClock()
    const err = await rejection(pollDeviceToken(configuration(), device(), {clock}))
    expect(err.code).to.equal('ACCESS_DENIED')
    expect(err.exitCode).to.equal(ExitCode.CANCELLED)
    expect(err.message).to.match(/declined.*nothing was stored/)
    expect(clock.sleeps).to.deep.equal([5000])
    scope.done()
  })

  it('expired_token: exit 4, code DEVICE_CODE_EXPIRED, next step says sign in again', async () => {
    const scope = tokenEndpoint()
      .reply(...oauthError('authorization_pending'))
      .post('/token')
      .reply(...oauthError('expired_token'))
    const clock = fakeClock()
    const err = await rejection(pollDeviceToken(configuration(), device(), {clock}))
    expect(err.code).to.equal('DEVICE_CODE_EXPIRED')
    expect(err.exitCode).to.equal(ExitCode.AUTH_REQUIRED)
    expect(err.nextStep).to.equal('sign in again: ppctl auth login')
    expect(clock.sleeps).to.deep.equal([5000, 5000])
    scope.done()
  })

  it('stops at the local deadline (expires_in) without another request', async () => {
    // expires_in 12 s, interval 5 s: polls at 5 and 10 s, then the wait to 15 s passes the deadline.
    const scope = tokenEndpoint()
      .times(2)
      .reply(...oauthError('authorization_pending'))
    const clock = fakeClock()
    const err = await rejection(pollDeviceToken(configuration(), device({expires_in: 12}), {clock}))
    expect(err.code).to.equal('DEVICE_CODE_EXPIRED')
    expect(err.exitCode).to.equal(ExitCode.AUTH_REQUIRED)
    expect(err.message).to.match(/not approved in time/)
    expect(clock.sleeps).to.deep.equal([5000, 5000, 5000])
    scope.done()
  })

  it('backs off on network errors (interval doubled each time), then succeeds', async () => {
    const scope = tokenEndpoint().replyWithError(coded('ETIMEDOUT')).post('/token').replyWithError(coded('ECONNRESET')).post('/token').reply(200, tokens)
    const clock = fakeClock()
    const res = await pollDeviceToken(configuration(), device(), {clock})
    expect(res.access_token).to.equal('at')
    expect(clock.sleeps).to.deep.equal([5000, 10000, 20000])
    scope.done()
  })

  it('gives up after 5 network timeouts in a row: exit 8 with code TIMEOUT', async () => {
    const scope = tokenEndpoint().times(5).replyWithError(coded('ETIMEDOUT'))
    const clock = fakeClock()
    const err = await rejection(pollDeviceToken(configuration(), device(), {clock}))
    expect(err.exitCode).to.equal(ExitCode.UNREACHABLE)
    expect(err.code).to.equal('TIMEOUT')
    expect(err.message).to.contain('login.example.com:443')
    expect(clock.sleeps).to.deep.equal([5000, 10000, 20000, 40000, 60000])
    scope.done()
  })

  it('Ctrl-C (abort) during a wait: exit 130, no request made', async () => {
    const controller = new AbortController()
    const clock = fakeClock()
    const err = await rejection(pollDeviceToken(configuration(), device(), {clock, signal: controller.signal, onWait: () => controller.abort()}))
    expect(err.exitCode).to.equal(ExitCode.INTERRUPTED)
    expect(err.message).to.match(/nothing was stored/)
    expect(nock.pendingMocks()).to.deep.equal([])
  })

  it('an unknown OAuth error is reported with its code, never with the device code', async () => {
    const scope = tokenEndpoint().reply(
      400,
      {error: 'invalid_request', error_description: 'device_code=dc-secret is odd'},
      {'content-type': 'application/json'},
    )
    const err = await rejection(pollDeviceToken(configuration(), device(), {clock: fakeClock()}))
    expect(err.code).to.equal('IDENTITY_ERROR')
    expect(err.message).to.contain('invalid_request')
    expect(err.message).not.to.contain('dc-secret')
    scope.done()
  })
})

describe('device authorization', () => {
  afterEach(() => nock.cleanAll())

  it('asks for the scopes and the API resource, and reports the URI, its host and the code', async () => {
    let sent: Record<string, string> = {}
    const scope = nock(ISSUER)
      .post('/device/auth', (body: Record<string, string>) => ((sent = body), true))
      .reply(200, {device_code: 'dc', user_code: 'WXYZ-1234', verification_uri: `${ISSUER}/device`, expires_in: 600, interval: 3})
    const {info} = await startDeviceAuthorization(configuration(), {
      authority: ISSUER,
      scope: 'openid profile offline_access api',
      resource: 'https://api.example.com',
    })
    expect(sent).to.include({client_id: 'ppctl', scope: 'openid profile offline_access api', resource: 'https://api.example.com'})
    expect(info).to.deep.equal({verificationUri: `${ISSUER}/device`, host: 'login.example.com', userCode: 'WXYZ-1234', expiresIn: 600, interval: 3})
    scope.done()
  })

  it('refuses a verification URI that is not https or not on the authority host', () => {
    expect(() => checkVerificationUri('http://login.example.com/device', ISSUER)).to.throw(/does not use https/)
    expect(() => checkVerificationUri('https://login.example.com.evil.test/device', ISSUER)).to.throw(/not the authority's host/)
    expect(() => checkVerificationUri('not a url', ISSUER)).to.throw(/not a URL/)
    expect(checkVerificationUri('https://LOGIN.example.com:8443/device', ISSUER).host).to.equal('login.example.com:8443')
  })

  it('refuses a device authorization whose verification URI points elsewhere', async () => {
    nock(ISSUER).post('/device/auth').reply(200, {device_code: 'dc', user_code: 'U', verification_uri: 'https://phish.example.net/device', expires_in: 600})
    const err = await rejection(startDeviceAuthorization(configuration(), {authority: ISSUER, scope: 'openid'}))
    expect(err.code).to.equal('UNSAFE_VERIFICATION_URI')
  })
})
