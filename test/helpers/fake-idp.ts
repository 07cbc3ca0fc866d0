// The identity provider of fakePlatform() as nock scopes, and the secrets no auth/route command may print, for the auth and route command tests.
import {expect} from 'chai'
import nock from 'nock'

import {AUTHORITY} from './fake-platform.js'
import type {CommandResult} from './command.js'

export const METADATA = {
  issuer: AUTHORITY,
  token_endpoint: `${AUTHORITY}/token`,
  device_authorization_endpoint: `${AUTHORITY}/device/auth`,
  revocation_endpoint: `${AUTHORITY}/token/revocation`,
}

/** The secrets fakePlatform() stores, and those the tests' token endpoints hand out. */
const SECRETS = ['test-access-token', 'test-refresh-token', 'rotated-refresh-token', 'new-access-token', 'device-code-secret']

/** The provider at AUTHORITY: its discovery document, once per .get() below unless times is given. */
export function identityProvider(times = 1, metadata: Record<string, unknown> = METADATA): nock.Scope {
  return nock(AUTHORITY).get('/.well-known/openid-configuration').times(times).reply(200, metadata)
}

/** Neither stream carries any secret in `secrets` (default: every one above). */
export function expectNoSecrets(res: Pick<CommandResult, 'stdout' | 'stderr'>, secrets: readonly string[] = SECRETS): void {
  for (const secret of secrets) {
    expect(res.stdout, `stdout carries ${secret}`).not.to.contain(secret)
    expect(res.stderr, `stderr carries ${secret}`).not.to.contain(secret)
  }
}

const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
/** An unsigned JWT-shaped token with these claims (ppctl reads claims of access tokens for display only). */
export const jwt = (claims: Record<string, unknown>) => `${enc({alg: 'none'})}.${enc(claims)}.sig`
