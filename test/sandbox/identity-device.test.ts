// The identity's device sign-in, end to end: openid-client on one side, approveDevice driving the real HTML pages on the other.
import {expect} from 'chai'
import {createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify} from 'jose'
import * as client from 'openid-client'

import {approveDevice} from '../../src/lib/sandbox/approve-device.js'
import {AuthRequiredError, NotFoundError} from '../../src/lib/errors/index.js'
import {API_AUDIENCE, CLI_CLIENT_ID, TENANTS} from '../../src/sandbox/seed.js'
import {startIdentity, type IdentityHarness} from '../helpers/identity-server.js'

const UPN = 'admin@contoso.example'
const SCOPE = 'openid profile offline_access api'
const ALLOWED_TAGS = ['html', 'head', 'meta', 'title', 'style', 'body', 'main', 'h1', 'p', 'strong', 'form', 'input', 'label', 'button', 'ul', 'li', 'code']

async function cliConfig(h: IdentityHarness): Promise<client.Configuration> {
  return client.discovery(new URL(h.issuer), CLI_CLIENT_ID, undefined, client.None(), {[client.customFetch]: h.fetch})
}

async function signIn(h: IdentityHarness, config: client.Configuration, upn = UPN) {
  const device = await client.initiateDeviceAuthorization(config, {scope: SCOPE, resource: API_AUDIENCE})
  await approveDevice(h.fetch, {authority: h.issuer, userCode: device.user_code, upn, password: h.password(upn)})
  // The sign-in is approved before the first poll, so no waiting between polls is needed.
  return client.pollDeviceAuthorizationGrant(config, {...device, interval: 0})
}

/** A fetch that keeps every HTML page it received, to inspect what a browser would have shown. */
function recordingFetch(h: IdentityHarness): {fetch: typeof fetch; pages: string[]} {
  const pages: string[] = []
  const wrapped = (async (input: string | URL, init?: RequestInit) => {
    const res = await h.fetch(input, init)
    if ((res.status < 300 || res.status >= 400) && (res.headers.get('content-type') ?? '').includes('text/html')) pages.push(await res.clone().text())
    return res
  }) as typeof fetch
  return {fetch: wrapped, pages}
}

describe('sandbox identity: device sign-in', () => {
  let h: IdentityHarness

  before(async () => {
    h = await startIdentity()
  })

  after(async () => {
    await h?.close()
  })

  it('issues access, refresh and ID tokens after approval through the HTML pages', async () => {
    const config = await cliConfig(h)
    const tokens = await signIn(h, config)
    expect(tokens.access_token).to.be.a('string')
    expect(tokens.refresh_token).to.be.a('string')
    expect(tokens.id_token).to.be.a('string')

    const tenant = TENANTS.find((t) => t.domain === 'contoso.example')!
    const user = h.directory.findUserByUpn(UPN)!
    const {payload, protectedHeader} = await jwtVerify(tokens.access_token, createLocalJWKSet(h.identity.publicJwks() as never), {
      issuer: h.issuer,
      audience: API_AUDIENCE,
      algorithms: ['PS256', 'RS256'],
      typ: 'at+jwt',
    })
    expect(protectedHeader.alg).to.equal('PS256')
    expect(payload).to.include({tid: tenant.id, oid: user.oid, upn: UPN, sub: user.oid, client_id: CLI_CLIENT_ID})
    expect(payload.roles).to.deep.equal(['Admin'])
    expect(String(payload.scope).split(' ')).to.include('api')

    const claims = tokens.claims()!
    expect(claims).to.include({tid: tenant.id, upn: UPN, name: user.displayName, sub: user.oid, aud: CLI_CLIENT_ID})
    expect(claims.roles).to.deep.equal(['Admin'])
    expect(decodeProtectedHeader(tokens.id_token!).alg).to.equal('RS256')

    const events = h.audit.all()
    const signin = events.find((e) => e.action === 'signin' && e.actor.upn === UPN)
    expect(signin).to.include({result: 'succeeded', tenantId: tenant.id, clientIp: '127.0.0.1'})
    const issued = events.find((e) => e.action === 'token.issued' && e.actor.upn === UPN)
    expect(issued?.details).to.include({grantType: 'device_code', clientId: CLI_CLIENT_ID, refreshTokenIssued: true})
  })

  it('rotates the refresh token and refuses the used one with invalid_grant', async () => {
    const config = await cliConfig(h)
    const first = await signIn(h, config)
    const second = await client.refreshTokenGrant(config, first.refresh_token!)
    expect(second.refresh_token).to.be.a('string').and.not.equal(first.refresh_token)
    expect(decodeJwt(second.access_token)).to.include({upn: UPN, aud: API_AUDIENCE})
    expect(h.audit.all().some((e) => e.action === 'token.refreshed' && e.result === 'succeeded')).to.equal(true)

    const reuse = await client.refreshTokenGrant(config, first.refresh_token!).then(
      () => undefined,
      (err: unknown) => err,
    )
    expect(reuse).to.be.instanceOf(client.ResponseBodyError)
    expect((reuse as client.ResponseBodyError).error).to.equal('invalid_grant')
    expect(h.audit.all().some((e) => e.action === 'token.refreshed' && e.result === 'failed')).to.equal(true)
  })

  it('introspection: the refresh token is active for its own client, inactive for another and after revocation', async () => {
    const config = await cliConfig(h)
    const tokens = await signIn(h, config)
    const endpoint = config.serverMetadata().introspection_endpoint!
    expect(new URL(endpoint).origin).to.equal(new URL(h.issuer).origin)
    const introspect = async (clientId: string) => {
      const res = await h.fetch(endpoint, {
        method: 'POST',
        headers: {'content-type': 'application/x-www-form-urlencoded'},
        body: new URLSearchParams({token: tokens.refresh_token!, token_type_hint: 'refresh_token', client_id: clientId}).toString(),
      })
      return {status: res.status, body: (await res.json()) as {active: boolean; client_id?: string}}
    }
    expect(await introspect(CLI_CLIENT_ID)).to.deep.nested.include({status: 200, 'body.active': true, 'body.client_id': CLI_CLIENT_ID})
    // Another (unknown) client learns nothing about it.
    expect((await introspect('someone-else')).body.active).to.not.equal(true)
    await client.tokenRevocation(config, tokens.refresh_token!, {token_type_hint: 'refresh_token'})
    expect(await introspect(CLI_CLIENT_ID)).to.deep.equal({status: 200, body: {active: false}})
  })

  it('reports a wrong password as SIGNIN_FAILED, audits it, and never echoes the password', async () => {
    const config = await cliConfig(h)
    const device = await client.initiateDeviceAuthorization(config, {scope: SCOPE})
    const password = 'not-the-password-123'
    const before = h.audit.all().length
    const err = await approveDevice(h.fetch, {authority: h.issuer, userCode: device.user_code, upn: 'maker@contoso.example', password}).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).to.be.instanceOf(AuthRequiredError)
    expect(err).to.include({code: 'SIGNIN_FAILED', exitCode: 4})
    expect((err as Error).message)
      .not.to.include(password)
      .and.not.to.include(device.user_code)

    const failed = h.audit
      .all()
      .slice(before)
      .find((e) => e.action === 'signin')
    expect(failed).to.include({result: 'failed', tenantId: TENANTS[0].id, clientIp: '127.0.0.1'})
    expect(failed?.actor.upn).to.equal('maker@contoso.example')
    expect(failed?.userAgent).to.be.a('string')
    expect(JSON.stringify(h.audit.all())).not.to.include(password).and.not.to.include(device.user_code)
  })

  it('reports an unknown user code as USER_CODE_NOT_FOUND', async () => {
    const err = await approveDevice(h.fetch, {authority: h.issuer, userCode: 'BCDF-GHJK', upn: UPN, password: h.password(UPN)}).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).to.be.instanceOf(NotFoundError)
    expect(err).to.include({code: 'USER_CODE_NOT_FOUND', exitCode: 6})
    expect((err as Error).message).not.to.include('BCDF-GHJK')
  })

  it('serves pages without external assets or scripts, and escapes what the user typed', async () => {
    const config = await cliConfig(h)
    const device = await client.initiateDeviceAuthorization(config, {scope: SCOPE})
    const {fetch: recording, pages} = recordingFetch(h)
    const hostile = '<script>alert(1)</script>"@contoso.example'
    const err = await approveDevice(recording, {authority: h.issuer, userCode: device.user_code, upn: hostile, password: 'x'}).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).to.include({code: 'SIGNIN_FAILED'})
    const unknownCode = await approveDevice(recording, {authority: h.issuer, userCode: '<img src=x onerror=alert(1)>', upn: UPN, password: 'x'}).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(unknownCode).to.include({code: 'USER_CODE_NOT_FOUND'})

    const approved = await client.initiateDeviceAuthorization(config, {scope: SCOPE})
    await approveDevice(recording, {authority: h.issuer, userCode: approved.user_code, upn: UPN, password: h.password(UPN)})

    const names = pages.map((p) => /name="ppctl-page" content="([^"]+)"/.exec(p)?.[1])
    expect(names).to.include.members(['device-code', 'device-confirm', 'sign-in', 'consent', 'success'])
    expect(pages.find((p) => p.includes('content="consent"')))
      .to.include('<code>offline_access</code>')
      .and.include('<code>api</code>')
    for (const page of pages) {
      expect(page).to.match(/^<!DOCTYPE html>\s*<html lang="en">/)
      expect(page).to.match(/<h1>[^<]+<\/h1>/)
      expect(page).not.to.match(/@import|url\(|https?:\/\/(?!login\.sandbox\.localhost)/i)
      for (const tag of page.match(/<[a-z][^>]*>/gi) ?? []) {
        const name = /^<([a-z0-9]+)/i.exec(tag)![1].toLowerCase()
        expect(ALLOWED_TAGS, tag).to.include(name)
        const attributes = [...tag.replace(/"[^"]*"/g, '""').matchAll(/\s([a-z-]+)(?==|\s|>)/gi)].map((m) => m[1].toLowerCase())
        expect(
          attributes.filter((a) => a.startsWith('on') || a === 'src' || a === 'href'),
          tag,
        ).to.deep.equal([])
      }
      for (const input of page.match(/<input [^>]*type="(text|email|password)"[^>]*>/g) ?? []) {
        const id = /id="([^"]+)"/.exec(input)?.[1]
        expect(page, `label for ${id}`).to.include(`<label for="${id}">`)
      }
    }
    const signInAgain = pages.find((p) => p.includes('name="ppctl-error" content="signin_failed"'))
    expect(signInAgain).to.include('&lt;script&gt;alert(1)&lt;/script&gt;&quot;@contoso.example')
    const codeAgain = pages.find((p) => p.includes('name="ppctl-error" content="code_not_found"'))
    expect(codeAgain).to.include('&lt;img src=x onerror=alert(1)&gt;')
  })

  it('refuses a sign-in form without the CSRF token of its interaction', async () => {
    const config = await cliConfig(h)
    const device = await client.initiateDeviceAuthorization(config, {scope: SCOPE})
    const {fetch: recording, pages} = recordingFetch(h)
    // Tamper with every CSRF field the pages hand out: the sign-in must then be refused before the password is checked.
    const tampering = (async (input: string | URL, init?: RequestInit) => {
      const body = typeof init?.body === 'string' ? init.body.replace(/(^|&)csrf=[^&]*/, '$1csrf=forged') : init?.body
      return recording(input, {...init, body})
    }) as typeof fetch
    const before = h.audit.all().length
    const err = await approveDevice(tampering, {authority: h.issuer, userCode: device.user_code, upn: UPN, password: h.password(UPN)}).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).to.include({code: 'APPROVAL_FAILED'})
    expect(pages.at(-1)).to.include('content="csrf_failed"')
    expect(
      h.audit
        .all()
        .slice(before)
        .filter((e) => e.action === 'signin'),
    ).to.have.length(0)
  })
})
