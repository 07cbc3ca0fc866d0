// The gateway's copy of the identity's revocations ("not before" per subject, ended sessions), fed by the identity's push feed.
import type {JWTPayload} from 'jose'

import type {RevocationEvent, RevocationFeed} from '../identity/session-revocation.js'
import {EPOCH_CLAIM, SESSION_CLAIM} from '../identity/session-revocation.js'

/**
 * Checked on every request in memory: the identity pushes each revocation as it happens, so no request waits on the
 * identity, and a gateway that (re)subscribes catches up from the last seq it applied.
 */
export class RevokedSessions {
  private readonly subjects = new Map<string, number>()
  private readonly sessions = new Map<string, number>()
  private lastSeq = 0

  constructor(private readonly now: () => number = Date.now) {}

  apply(event: RevocationEvent): void {
    if (event.seq <= this.lastSeq) return
    this.lastSeq = event.seq
    if (event.type === 'subject') {
      const key = `${event.tenantId}\n${event.subject}`
      this.subjects.set(key, Math.max(this.subjects.get(key) ?? 0, event.epoch))
      return
    }
    this.sessions.set(event.sessionId, event.expiresAt)
    this.prune()
  }

  /** Follows `feed` from what was applied; returns the unsubscribe. */
  follow(feed: RevocationFeed): () => void {
    return feed.subscribe(this.lastSeq, (event) => this.apply(event))
  }

  /** Whether a verified token's session was revoked: its subject's epoch is older than the last revocation, or its grant ended. */
  revoked(claims: JWTPayload): boolean {
    const tid = typeof claims.tid === 'string' ? claims.tid : ''
    const floor = this.subjects.get(`${tid}\n${claims.sub ?? ''}`)
    if (floor !== undefined) {
      const epoch = typeof claims[EPOCH_CLAIM] === 'number' ? (claims[EPOCH_CLAIM] as number) : 0
      if (epoch < floor) return true
    }
    const sid = claims[SESSION_CLAIM]
    if (typeof sid === 'string') {
      const until = this.sessions.get(sid)
      if (until !== undefined && until > this.now()) return true
    }
    return false
  }

  /** Ended sessions are kept only while one of their access tokens could still be alive. */
  private prune(): void {
    const now = this.now()
    for (const [sid, until] of this.sessions) if (until <= now) this.sessions.delete(sid)
  }
}
