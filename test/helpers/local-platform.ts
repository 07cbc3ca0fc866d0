// A local platform started in this process in a temp folder, a client that trusts its CA, and device sign-in by script.
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {approveDevice} from '../../src/lib/sandbox/approve-device.js'
import {startPlatform, type PlatformOptions, type RunningPlatform} from '../../src/sandbox/server.js'
import {testClient, type TestClient} from './https.js'

export interface LocalPlatform {
  dir: string
  platform: RunningPlatform
  client: TestClient
  /** An access token for the API, from a device sign-in approved through the identity's pages. */
  signIn(upn: string): Promise<string>
  /** Stops the platform (once), closes the client and removes the folder. */
  close(graceMs?: number): Promise<void>
}

export async function startLocalPlatform(options: Omit<PlatformOptions, 'dataDir' | 'port'> = {}): Promise<LocalPlatform> {
  const dir = mkdtempSync(join(tmpdir(), 'ppctl-platform-'))
  // Plain SQLite unless the test asks for encryption at rest: many tests read the cluster files directly.
  const platform = await startPlatform({dataDir: dir, port: 0, encryption: false, ...options})
  const client = testClient(readFileSync(platform.caFile, 'utf8'))
  const form = (o: Record<string, string>) => ({
    method: 'POST',
    headers: {'content-type': 'application/x-www-form-urlencoded'},
    body: new URLSearchParams(o).toString(),
  })
  let stopped: Promise<void> | undefined
  return {
    dir,
    platform,
    client,
    async signIn(upn) {
      const meta = (await (await client.fetch(`${platform.urls.authority}/.well-known/openid-configuration`)).json()) as Record<string, string>
      const device = (await (
        await client.fetch(
          meta.device_authorization_endpoint,
          form({client_id: 'ppctl', scope: 'openid offline_access api', resource: 'https://api.sandbox.localhost'}),
        )
      ).json()) as Record<string, string>
      const password = (JSON.parse(readFileSync(join(dir, 'passwords.json'), 'utf8')) as Array<{upn: string; password: string}>).find(
        (p) => p.upn === upn,
      )!.password
      await approveDevice((url, init) => client.fetch(url as string, init as never) as never, {
        authority: platform.urls.authority,
        userCode: device.user_code,
        upn,
        password,
      })
      const token = (await (
        await client.fetch(
          meta.token_endpoint,
          form({grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: device.device_code, client_id: 'ppctl'}),
        )
      ).json()) as {access_token: string}
      return token.access_token
    },
    close(graceMs) {
      stopped ??= (async () => {
        await platform.close(graceMs)
        await client.close()
        rmSync(dir, {recursive: true, force: true})
      })()
      return stopped
    },
  }
}
