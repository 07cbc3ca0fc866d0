// approveDevice's browser rules, against scripted responses: same-origin https redirects only, cookies kept per origin and path.
import {expect} from 'chai'

import {approveDevice} from '../../src/lib/sandbox/approve-device.js'

const AUTHORITY = 'https://login.sandbox.localhost:8443'

function page(name: string, body = '', error?: string): Response {
  const meta = `<meta name="ppctl-page" content="${name}">${error ? `<meta name="ppctl-error" content="${error}">` : ''}`
  return new Response(`<!DOCTYPE html><html lang="en"><head>${meta}<title>${name} page</title></head><body>${body}</body></html>`, {
    headers: {'content-type': 'text/html; charset=utf-8'},
  })
}

function redirect(location: string, cookies: string[] = []): Response {
  const headers = new Headers({location})
  for (const cookie of cookies) headers.append('set-cookie', cookie)
  return new Response(null, {status: 303, headers})
}

type Step = (url: string, init: RequestInit) => Response

function scripted(steps: Step[]): {fetch: typeof fetch; calls: Array<{url: string; init: RequestInit}>} {
  const calls: Array<{url: string; init: RequestInit}> = []
  const fetchImpl = (async (input: string | URL, init?: RequestInit) => {
    const step = steps[calls.length]
    calls.push({url: String(input), init: init ?? {}})
    if (!step) throw new Error(`unexpected request ${String(input)}`)
    return step(String(input), init ?? {})
  }) as typeof fetch
  return {fetch: fetchImpl, calls}
}

const codeForm = '<form method="post" action="/device"><input type="hidden" name="xsrf" value="x&amp;1"><input type="text" id="c" name="user_code"></form>'
const options = {authority: AUTHORITY, userCode: 'BCDF-GHJK', upn: 'admin@contoso.example', password: 'secret-pass'}

describe('sandbox identity: approveDevice browser rules', () => {
  it('refuses a redirect to another origin', async () => {
    const {fetch} = scripted([() => page('device-code', codeForm), () => redirect('https://evil.example/steal')])
    const err = await approveDevice(fetch, options).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).to.include({code: 'UNSAFE_REDIRECT'})
  })

  it('refuses a redirect to http on the same host', async () => {
    const {fetch} = scripted([() => page('device-code', codeForm), () => redirect('http://login.sandbox.localhost:8443/device')])
    const err = await approveDevice(fetch, options).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).to.include({code: 'UNSAFE_REDIRECT'})
  })

  it('refuses an http authority before any request', async () => {
    const {fetch, calls} = scripted([])
    const err = await approveDevice(fetch, {...options, authority: 'http://login.sandbox.localhost:8443'}).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).to.include({code: 'INSECURE_AUTHORITY'})
    expect(calls).to.have.length(0)
  })

  it('posts the hidden fields with the code, turns 303 into GET, and sends cookies only under their path', async () => {
    const {fetch, calls} = scripted([
      () => page('device-code', codeForm),
      () => redirect('/interaction/abc', ['_interaction=i1; path=/interaction/abc; secure; httponly', '_session=s1; path=/; secure']),
      () => page('success'),
    ])
    await approveDevice(fetch, options)
    expect(calls[1].init.method).to.equal('POST')
    expect(new URLSearchParams(String(calls[1].init.body)).get('xsrf')).to.equal('x&1')
    expect(new URLSearchParams(String(calls[1].init.body)).get('user_code')).to.equal('BCDF-GHJK')
    expect(calls[2].url).to.equal(`${AUTHORITY}/interaction/abc`)
    expect(calls[2].init.method).to.equal('GET')
    expect((calls[2].init.headers as Record<string, string>).cookie).to.equal('_interaction=i1; _session=s1')
  })

  it('reports an unexpected page by its title, without the password or the code', async () => {
    const {fetch} = scripted([() => page('device-code', codeForm), () => page('mystery')])
    const err = await approveDevice(fetch, options).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).to.include({code: 'APPROVAL_FAILED', exitCode: 1})
    expect((err as Error).message)
      .to.include('mystery page')
      .and.not.include('secret-pass')
      .and.not.include('BCDF-GHJK')
  })
})
