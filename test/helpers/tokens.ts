// Gets real tokens from a test platform: device sign-in approved with `ppctl sandbox approve`.
import {runCli} from './cli.js'
import type {TestClient} from './https.js'
import type {TestPlatform} from './platform.js'

export const API_AUDIENCE = 'https://api.sandbox.localhost'

export interface TokenSet {
  access_token: string
  refresh_token?: string
  id_token?: string
  expires_in: number
  token_type: string
}

async function discovery(client: TestClient, platform: TestPlatform): Promise<Record<string, string>> {
  const res = await client.fetch(`${platform.urls.authority}/.well-known/openid-configuration`)
  if (!res.ok) throw new Error(`discovery failed: ${res.status}`)
  return (await res.json()) as Record<string, string>
}

/** Device authorization → `sandbox approve` (real sign-in pages) → token. */
export async function deviceSignIn(client: TestClient, platform: TestPlatform, upn: string): Promise<TokenSet> {
  const meta = await discovery(client, platform)
  const auth = await client.fetch(meta.device_authorization_endpoint, {
    method: 'POST',
    headers: {'content-type': 'application/x-www-form-urlencoded'},
    body: new URLSearchParams({client_id: 'ppctl', scope: 'openid profile offline_access api', resource: API_AUDIENCE}).toString(),
  })
  const device = (await auth.json()) as {device_code: string; user_code: string}
  if (!device.user_code) throw new Error(`device authorization failed: ${JSON.stringify(device)}`)
  const password = platform.users.find((u) => u.upn === upn)?.password
  const approved = await runCli(['sandbox', 'approve', device.user_code, '--user', upn, '--data-dir', platform.dataDir], platform.cli.env, `${password}\n`)
  if (approved.code !== 0) throw new Error(`sandbox approve failed (${approved.code}): ${approved.stderr}`)
  const token = await client.fetch(meta.token_endpoint, {
    method: 'POST',
    headers: {'content-type': 'application/x-www-form-urlencoded'},
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: device.device_code,
      client_id: 'ppctl',
    }).toString(),
  })
  const body = (await token.json()) as TokenSet & {error?: string}
  if (!token.ok) throw new Error(`token request failed: ${JSON.stringify(body)}`)
  return body
}
