// issuerChange: stored tokens from another issuer than the profile's authority are reported, read offline from their claims.
import {expect} from 'chai'

import {identityProviderChanged, issuerChange} from '../../../src/lib/auth/issuer-check.js'

const jwt = (claims: Record<string, unknown>) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`
const OLD = 'https://login.sandbox.localhost:41000'
const NEW = 'https://login.sandbox.localhost:42000'

describe('auth/issuerChange', () => {
  it('reports the old and new issuer when the tokens come from another provider than the authority', () => {
    expect(issuerChange({authority: NEW}, {accessToken: jwt({iss: OLD})})).to.deep.equal({was: OLD, now: NEW})
    // The ID token, validated at sign-in, speaks before the access token.
    expect(issuerChange({authority: NEW}, {idToken: jwt({iss: OLD}), accessToken: jwt({iss: NEW})})).to.deep.equal({was: OLD, now: NEW})
  })

  it('says nothing when they match (trailing slashes aside), or when nothing can be read', () => {
    expect(issuerChange({authority: `${OLD}/`}, {accessToken: jwt({iss: OLD})})).to.equal(undefined)
    expect(issuerChange({authority: OLD}, {idToken: jwt({iss: `${OLD}/`})})).to.equal(undefined)
    expect(issuerChange({authority: NEW}, {accessToken: 'opaque-token'})).to.equal(undefined)
    expect(issuerChange({authority: NEW}, {accessToken: 'a.%%%.c'})).to.equal(undefined)
    expect(issuerChange({authority: NEW}, {accessToken: jwt({sub: 'x'})})).to.equal(undefined)
    expect(issuerChange({}, {accessToken: jwt({iss: OLD})})).to.equal(undefined)
    expect(issuerChange({authority: NEW}, undefined)).to.equal(undefined)
  })

  it('is exit 4 with both issuers and the way out', () => {
    const err = identityProviderChanged('work', {was: OLD, now: NEW})
    expect(err).to.include({code: 'IDENTITY_PROVIDER_CHANGED', exitCode: 4, nextStep: 'Sign in again with ppctl auth login --profile work'})
    expect(err.message).to.contain(`identity provider changed (was ${OLD}, now ${NEW})`)
  })
})
