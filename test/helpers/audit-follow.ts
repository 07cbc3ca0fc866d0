// Waits for audit events to appear: a tenant's log followed through the platform's audit stream, or the operator's log read from its store.
import {join} from 'node:path'
import {setTimeout as delay} from 'node:timers/promises'

import type {TestClient} from './https.js'
import type {TestPlatform} from './platform.js'

export interface FollowedEvent {
  seq: number
  tenantId: string
  action: string
  result: string
  actor: {type: string; id?: string; upn?: string; appId?: string}
  clientIp?: string
  correlationId?: string
  details?: Record<string, unknown>
}

/**
 * Follows the admin's tenant log (GET /v1/audit/stream as NDJSON on the tenant's home cluster, `action` filter) from
 * its start until `until` holds for the events seen so far; returns them. Waits for the events, never for a time.
 */
export async function followAudit(
  platform: TestPlatform,
  client: TestClient,
  adminToken: string,
  action: string,
  until: (events: FollowedEvent[]) => boolean,
  giveUpMs = 45_000,
): Promise<FollowedEvent[]> {
  const auth = {authorization: `Bearer ${adminToken}`}
  const homeRes = await client.fetch(`${platform.urls.global}/v1/me/home`, {headers: auth})
  if (!homeRes.ok) throw new Error(`global service: ${homeRes.status} ${await homeRes.text()}`)
  const home = (await homeRes.json()) as {home: {uri: string}}
  const url = new URL('/v1/audit/stream', home.home.uri)
  url.searchParams.set('action', action)
  const stop = new AbortController()
  // Only so that a failing test leaves no stream open (which would hold the client's close): never a pass condition.
  const giveUp = setTimeout(() => stop.abort(new Error(`the expected audit events did not arrive within ${giveUpMs} ms`)), giveUpMs)
  const res = await client.fetch(url.href, {headers: {...auth, accept: 'application/x-ndjson'}, signal: stop.signal})
  if (!res.ok || !res.body) throw new Error(`audit stream: ${res.status} ${await res.text()}`)
  const events: FollowedEvent[] = []
  const decoder = new TextDecoder()
  let carry = ''
  try {
    for await (const chunk of res.body) {
      const lines = (carry + decoder.decode(chunk as Uint8Array, {stream: true})).split('\n')
      carry = lines.pop() ?? ''
      for (const line of lines) {
        if (!line.trim()) continue
        const parsed = JSON.parse(line) as FollowedEvent
        if (typeof parsed.seq === 'number') events.push(parsed)
      }
      if (until(events)) return events
    }
  } finally {
    clearTimeout(giveUp)
    stop.abort()
  }
  throw new Error(`the audit stream ended before the expected events arrived; seen: ${JSON.stringify(events)}`)
}

/**
 * The operator's (platform) log, read from its store until `until` holds: it has no audit API, so the store is read
 * (read-only, as SQLite WAL allows beside the running platform) again after each short pause until it does.
 */
export async function waitForOperatorEvents(
  platform: TestPlatform,
  action: string,
  until: (events: FollowedEvent[]) => boolean,
  giveUpMs = 45_000,
): Promise<FollowedEvent[]> {
  const {default: Database} = await import('better-sqlite3')
  // The deadline only ends the loop of a failing test; it never decides a pass.
  const deadline = Date.now() + giveUpMs
  for (;;) {
    const db = new Database(join(platform.dataDir, 'clusters', 'global-audit.db'), {readonly: true, fileMustExist: true})
    let events: FollowedEvent[]
    try {
      events = (db.prepare('SELECT json FROM audit WHERE action = ? ORDER BY seq').all(action) as Array<{json: string}>).map(
        (r) => JSON.parse(r.json) as FollowedEvent,
      )
    } finally {
      db.close()
    }
    if (until(events)) return events
    if (Date.now() > deadline) throw new Error(`the expected operator audit events did not arrive within ${giveUpMs} ms; seen: ${JSON.stringify(events)}`)
    await delay(50)
  }
}
