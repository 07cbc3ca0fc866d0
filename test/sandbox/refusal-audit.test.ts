// The gateway's refusal auditing on an injected clock and scheduler: coalesced windows, exact counts, flush on close, the log chosen.
import {expect} from 'chai'
import type {IncomingMessage} from 'node:http'

import type {AuditInput} from '../../src/sandbox/audit-sink.js'
import {createRefusalAudit, gatewayRefusal, type Refusal} from '../../src/sandbox/gateway/refusal-audit.js'
import {unverifiedTenantOf, type Principal} from '../../src/sandbox/gateway/verify-token.js'
import {OPERATOR_TENANT_ID} from '../../src/sandbox/seed.js'

const CONTOSO = '2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1'

/** A clock and a timer queue that move only when the test says so. */
function fakeTime(start = Date.UTC(2026, 0, 1)) {
  let now = start
  let timers: Array<{at: number; fn: () => void; cancelled: boolean}> = []
  return {
    now: () => now,
    schedule(fn: () => void, ms: number) {
      const timer = {at: now + ms, fn, cancelled: false}
      timers.push(timer)
      return () => {
        timer.cancelled = true
      }
    },
    /** Moves the clock, running the timers that come due, in order. */
    advance(ms: number) {
      const until = now + ms
      for (;;) {
        const due = timers.filter((t) => !t.cancelled && t.at <= until).sort((a, b) => a.at - b.at)[0]
        if (!due) break
        now = due.at
        due.cancelled = true
        due.fn()
      }
      now = until
      timers = timers.filter((t) => !t.cancelled)
    },
    /** Moves the clock without running any timer (an event loop too busy to run them). */
    skip(ms: number) {
      now += ms
    },
    get timers() {
      return timers.filter((t) => !t.cancelled).length
    },
  }
}

const forged = (over: Partial<Refusal> = {}): Refusal => ({
  tenantId: CONTOSO,
  status: 401,
  code: 'UNAUTHENTICATED',
  reason: 'the token signature is invalid',
  host: 'global.sandbox.localhost',
  actor: {type: 'anonymous'},
  clientIp: '203.0.113.7',
  correlationId: 'c-1',
  ...over,
})

const countOf = (e: AuditInput) => e.details?.count as number

describe('gateway refusal audit (injected clock)', () => {
  let time: ReturnType<typeof fakeTime>
  let events: AuditInput[]
  let audit: ReturnType<typeof createRefusalAudit>

  beforeEach(() => {
    time = fakeTime()
    events = []
    audit = createRefusalAudit({record: (e) => events.push(e), now: time.now, schedule: (fn, ms) => time.schedule(fn, ms)})
  })

  it('records one event at the end of the window, with the count, the first request and the window', () => {
    const start = time.now()
    audit.refuse(forged())
    time.advance(300)
    audit.refuse(forged({correlationId: 'c-2'}))
    expect(events).to.have.length(0)
    time.advance(700)
    expect(events).to.have.length(1)
    expect(events[0]).to.deep.include({
      tenantId: CONTOSO,
      action: 'request.refused',
      result: 'failed',
      actor: {type: 'anonymous'},
      clientIp: '203.0.113.7',
      correlationId: 'c-1',
    })
    expect(events[0].details).to.deep.equal({
      status: 401,
      code: 'UNAUTHENTICATED',
      reason: 'the token signature is invalid',
      host: 'global.sandbox.localhost',
      count: 2,
      firstAt: new Date(start).toISOString(),
      lastAt: new Date(start + 300).toISOString(),
      windowSeconds: 1,
    })
    expect(audit.pending).to.equal(0)
  })

  it('turns a flood of 10,000 refusals over 5 s into 5 events whose counts add up to 10,000', () => {
    for (let i = 0; i < 10_000; i++) {
      audit.refuse(forged())
      time.advance(0.5)
    }
    time.advance(1000)
    expect(events).to.have.length(5)
    expect(events.map(countOf)).to.deep.equal([2000, 2000, 2000, 2000, 2000])
    expect(time.timers).to.equal(0)
  })

  it('keeps sources, reasons, tenants and actors apart', () => {
    audit.refuse(forged())
    audit.refuse(forged({clientIp: '203.0.113.8'}))
    audit.refuse(forged({reason: 'the token has expired'}))
    audit.refuse(forged({tenantId: OPERATOR_TENANT_ID}))
    audit.refuse(forged({status: 429, code: 'RATE_LIMITED', reason: 'rate limit', actor: {type: 'user', id: 'u1'}}))
    audit.refuse(forged({status: 429, code: 'RATE_LIMITED', reason: 'rate limit', actor: {type: 'user', id: 'u2'}}))
    audit.refuse(forged())
    time.advance(1000)
    expect(events).to.have.length(6)
    expect(events.map(countOf).reduce((a, b) => a + b, 0)).to.equal(7)
  })

  it('ends a window on time even when its timer is late, and loses no count', () => {
    audit.refuse(forged())
    audit.refuse(forged())
    time.skip(1500) // the timer did not run
    audit.refuse(forged())
    expect(events.map(countOf)).to.deep.equal([2])
    time.advance(1000)
    expect(events.map(countOf)).to.deep.equal([2, 1])
  })

  it('flushes every open window at close, and records later refusals one by one', () => {
    audit.refuse(forged())
    audit.refuse(forged())
    audit.refuse(forged({clientIp: '198.51.100.1'}))
    audit.close()
    expect(events.map(countOf)).to.deep.equal([2, 1])
    expect(time.timers).to.equal(0)
    audit.refuse(forged())
    expect(events.map(countOf)).to.deep.equal([2, 1, 1])
  })

  it('holds at most maxPending windows: the oldest is recorded early with its count so far', () => {
    audit = createRefusalAudit({record: (e) => events.push(e), now: time.now, schedule: (fn, ms) => time.schedule(fn, ms), maxPending: 2})
    audit.refuse(forged({clientIp: '192.0.2.1'}))
    audit.refuse(forged({clientIp: '192.0.2.1'}))
    audit.refuse(forged({clientIp: '192.0.2.2'}))
    audit.refuse(forged({clientIp: '192.0.2.3'}))
    expect(audit.pending).to.equal(2)
    expect(events.map((e) => [e.clientIp, countOf(e)])).to.deep.equal([['192.0.2.1', 2]])
    time.advance(1000)
    expect(events.map(countOf).reduce((a, b) => a + b, 0)).to.equal(4)
  })

  it('never throws when the log cannot record: it says so in the platform log', () => {
    const lines: string[] = []
    audit = createRefusalAudit({
      record: () => {
        throw new Error('store closed')
      },
      now: time.now,
      schedule: (fn, ms) => time.schedule(fn, ms),
      log: (l) => lines.push(l),
    })
    audit.refuse(forged())
    expect(() => time.advance(1000)).not.to.throw()
    expect(lines).to.deep.equal(['gateway: could not record 1 refusal(s) (401 UNAUTHENTICATED): store closed'])
  })
})

describe('gateway refusal: which log', () => {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
  const token = (claims: object) => `${enc({alg: 'RS256', typ: 'at+jwt'})}.${enc(claims)}.c2lnbmF0dXJl`
  const req = (authorization?: string) =>
    ({
      headers: {host: 'global.sandbox.localhost', 'user-agent': 'curl/8', ...(authorization ? {authorization} : {})},
      socket: {remoteAddress: '127.0.0.1'},
    }) as unknown as IncomingMessage
  const ctx = {hasLog: (t: string) => t === CONTOSO}
  const rc = {correlationId: 'corr', traceId: 't'}

  it('reads the tid a token claims without verifying it, and nothing from garbage', () => {
    expect(unverifiedTenantOf(`Bearer ${token({tid: CONTOSO, sub: 'x'})}`)).to.equal(CONTOSO)
    expect(unverifiedTenantOf(`Bearer ${token({sub: 'x'})}`)).to.equal(undefined)
    expect(unverifiedTenantOf(`Bearer ${token({tid: 42})}`)).to.equal(undefined)
    expect(unverifiedTenantOf('Bearer not-a-jwt')).to.equal(undefined)
    expect(unverifiedTenantOf('Basic dXNlcjpwdw==')).to.equal(undefined)
    expect(unverifiedTenantOf(undefined)).to.equal(undefined)
  })

  it("sends a 401 naming a tenant to that tenant's log, anonymously; anything else to the operator's log", () => {
    const named = gatewayRefusal(
      ctx,
      rc,
      req(`Bearer ${token({tid: CONTOSO, sub: 'admin', upn: 'admin@contoso.example'})}`),
      401,
      'the token signature is invalid',
    )
    expect(named).to.deep.equal({
      tenantId: CONTOSO,
      status: 401,
      code: 'UNAUTHENTICATED',
      reason: 'the token signature is invalid',
      host: 'global.sandbox.localhost',
      actor: {type: 'anonymous'},
      clientIp: '127.0.0.1',
      userAgent: 'curl/8',
      correlationId: 'corr',
    })
    expect(gatewayRefusal(ctx, rc, req(`Bearer ${token({tid: 'some-other-tenant'})}`), 401, 'x').tenantId).to.equal(OPERATOR_TENANT_ID)
    expect(gatewayRefusal(ctx, rc, req('Bearer garbage'), 401, 'x').tenantId).to.equal(OPERATOR_TENANT_ID)
    expect(gatewayRefusal(ctx, rc, req(), 401, 'x').tenantId).to.equal(OPERATOR_TENANT_ID)
  })

  it("sends a 429 to the verified principal's tenant, naming the principal", () => {
    const principal: Principal = {
      tenantId: CONTOSO,
      subject: 's',
      oid: 'oid-1',
      upn: 'admin@contoso.example',
      roles: ['Admin'],
      kind: 'user',
      rateKey: 'j',
      expiresAt: 0,
    }
    const r = gatewayRefusal(ctx, rc, req(`Bearer ${token({tid: 'ignored'})}`), 429, 'rate limit', principal)
    expect(r).to.deep.include({tenantId: CONTOSO, code: 'RATE_LIMITED', actor: {type: 'user', id: 'oid-1', upn: 'admin@contoso.example'}})
  })
})
