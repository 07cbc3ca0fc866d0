// The gateway's copy of the identity's revocations: exact epochs per subject, ended sessions until their tokens lapse, in seq order.
import {expect} from 'chai'

import {RevokedSessions} from '../../src/sandbox/gateway/revoked-sessions.js'
import type {RevocationEvent, RevocationFeed} from '../../src/sandbox/identity/session-revocation.js'

const T = 'tenant-1'

describe('gateway: revoked sessions', () => {
  it("refuses a subject's tokens stamped before its last revocation, and none stamped after; other subjects and tenants are untouched", () => {
    const list = new RevokedSessions()
    expect(list.revoked({tid: T, sub: 'u1'})).to.equal(false)
    list.apply({seq: 1, type: 'subject', tenantId: T, subject: 'u1', epoch: 1, notBefore: '2026-12-02T07:00:00Z'})
    expect(list.revoked({tid: T, sub: 'u1'})).to.equal(true)
    expect(list.revoked({tid: T, sub: 'u1', revocation_epoch: 1})).to.equal(false)
    expect(list.revoked({tid: T, sub: 'u2'})).to.equal(false)
    expect(list.revoked({tid: 'tenant-2', sub: 'u1'})).to.equal(false)
    list.apply({seq: 2, type: 'subject', tenantId: T, subject: 'u1', epoch: 2, notBefore: '2026-12-02T07:01:00Z'})
    expect(list.revoked({tid: T, sub: 'u1', revocation_epoch: 1})).to.equal(true)
    expect(list.revoked({tid: T, sub: 'u1', revocation_epoch: 2})).to.equal(false)
  })

  it('refuses the tokens of an ended session until they could no longer be alive, and ignores events it already applied', () => {
    let now = 1_000
    const list = new RevokedSessions(() => now)
    list.apply({seq: 5, type: 'session', sessionId: 'grant-a', notBefore: '2026-12-02T07:00:00Z', expiresAt: 2_000})
    expect(list.revoked({tid: T, sub: 'u1', sid: 'grant-a'})).to.equal(true)
    expect(list.revoked({tid: T, sub: 'u1', sid: 'grant-b'})).to.equal(false)
    // A replayed older event changes nothing.
    list.apply({seq: 4, type: 'subject', tenantId: T, subject: 'u1', epoch: 1, notBefore: '2026-12-02T06:59:00Z'})
    expect(list.revoked({tid: T, sub: 'u1'})).to.equal(false)
    now = 2_000
    expect(list.revoked({tid: T, sub: 'u1', sid: 'grant-a'})).to.equal(false)
  })

  it('follows a feed from the last seq it applied', async () => {
    const subscriptions: number[] = []
    let push: ((e: RevocationEvent) => void) | undefined
    const feed: RevocationFeed = {
      subscribe(after, listener) {
        subscriptions.push(after)
        push = (e) => void listener(e)
        return () => (push = undefined)
      },
    }
    const list = new RevokedSessions()
    const unfollow = list.follow(feed)
    push!({seq: 3, type: 'subject', tenantId: T, subject: 'sp-1', epoch: 1, notBefore: '2026-12-02T07:00:00Z'})
    expect(list.revoked({tid: T, sub: 'sp-1'})).to.equal(true)
    unfollow()
    list.follow(feed)
    expect(subscriptions).to.deep.equal([0, 3])
  })
})
