// What the --debug trace shows of a sign-in: the form fields that are secrets, and JSON token bodies, are redacted.
import {expect} from 'chai'

import {describeBody, requestLine} from '../../../src/lib/http/trace.js'
import {redactText} from '../../../src/lib/output/redact.js'

const JWT = 'eyJhbGciOiJQUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'

describe('sign-in traces', () => {
  it('redacts device_code, refresh_token and client_assertion in form bodies, keeps the grant type', () => {
    const form = new URLSearchParams({grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: 'dc-opaque-secret', client_id: 'ppctl'})
    const line = requestLine({
      method: 'POST',
      url: 'https://login.example.com/token',
      correlationId: 'c',
      headers: new Headers({'content-type': 'application/x-www-form-urlencoded'}),
      body: form.toString(),
    })
    expect(line).not.to.contain('dc-opaque-secret')
    expect(line).to.contain('grant_type=urn')
    const refresh = describeBody(new URLSearchParams({grant_type: 'refresh_token', refresh_token: 'rt-opaque'}), null)
    expect(refresh).not.to.contain('rt-opaque')
    const assertion = describeBody(`client_assertion=${JWT}&client_assertion_type=urn%3Aietf`, 'application/x-www-form-urlencoded')
    expect(assertion).not.to.contain('c2lnbmF0dXJl')
  })

  it('redacts a JSON token response if one ever reaches a trace line', () => {
    const body = JSON.stringify({access_token: 'opaque-at', refresh_token: 'opaque-rt', id_token: JWT, device_code: 'dc', token_type: 'Bearer'})
    const out = redactText(body)
    for (const secret of ['opaque-at', 'opaque-rt', 'c2lnbmF0dXJl', '"dc"']) expect(out).not.to.contain(secret)
    expect(out).to.contain('"token_type":"Bearer"')
  })

  it('redacts bearer credentials in headers', () => {
    const line = requestLine({
      method: 'GET',
      url: 'https://api.example.com/x',
      correlationId: 'c',
      headers: new Headers({authorization: 'Bearer opaque-at', dpop: JWT}),
    })
    expect(line).not.to.contain('opaque-at')
    expect(line).not.to.contain('c2lnbmF0dXJl')
  })
})

describe('redactText', () => {
  it('redacts the credential after Bearer, DPoP and Basic, however short, and token68 padding', () => {
    for (const line of ['Authorization: Bearer opaque-at', 'DPoP abc.def-ghi', 'basic dXNlcjpwYXNz==', 'sent Bearer x1 then']) {
      const out = redactText(line)
      expect(out, line).to.contain('[REDACTED]')
      expect(out, line).not.to.match(/opaque-at|abc\.def|dXNlcjpwYXNz|x1/)
    }
  })

  it('keeps challenges and prose about the schemes readable', () => {
    const challenge = 'WWW-Authenticate: DPoP error="invalid_dpop_proof", error_description="proof replayed"'
    expect(redactText(challenge)).to.equal(challenge)
    const bearer = 'Bearer error="invalid_token", error_description="session revoked"'
    expect(redactText(bearer)).to.equal(bearer)
    const prose = 'The DPoP proof was refused; Bearer tokens are not accepted; DPoP nonce required'
    expect(redactText(prose)).to.equal(prose)
  })
})
