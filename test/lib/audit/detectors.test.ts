// Each detector fires on a scripted scenario and stays quiet on normal traffic; time is the events' own.
import {expect} from 'chai'

import {DEFAULT_SETTINGS, createDetectors, detect} from '../../../src/lib/audit/detectors/detectors.js'
import type {WatchedEvent} from '../../../src/lib/audit/detectors/types.js'

const T0 = Date.parse('2026-03-01T09:00:00Z')
let seq = 0
const ev = (secondsFromT0: number, e: Partial<WatchedEvent>): WatchedEvent => ({
  seq: ++seq,
  time: new Date(T0 + secondsFromT0 * 1000).toISOString(),
  tenantId: 'contoso',
  action: 'signin',
  result: 'succeeded',
  actor: {type: 'user', upn: 'ann@contoso.example'},
  clientIp: '10.0.0.1',
  ...e,
})

/** A working day: sign-ins from a few offices, an occasional typo, token refreshes, one license revoked. */
function normalTraffic(): WatchedEvent[] {
  const out: WatchedEvent[] = []
  const users = ['ann', 'bob', 'cid', 'dee']
  for (let i = 0; i < 400; i++) {
    const upn = `${users[i % 4]}@contoso.example`
    const ip = `10.0.${i % 4}.1`
    out.push(ev(i * 30, {actor: {type: 'user', upn}, clientIp: ip}))
    if (i % 50 === 7) out.push(ev(i * 30 + 1, {actor: {type: 'anonymous', upn}, clientIp: ip, result: 'failed'}))
    out.push(ev(i * 30 + 2, {action: 'token.refreshed', actor: {type: 'user', upn}, clientIp: ip}))
    if (i % 100 === 0)
      out.push(ev(i * 30 + 3, {action: 'license.revoked', actor: {type: 'user', upn: 'admin@contoso.example'}, target: {type: 'user', id: upn}}))
    if (i % 120 === 0) out.push(ev(i * 30 + 4, {action: 'connector.blocked', target: {type: 'connector', id: 'twitter'}}))
  }
  return out
}

const names = (alerts: Array<{detector: string}>) => alerts.map((a) => a.detector)

describe('audit watch detectors', () => {
  it('stay quiet on normal traffic', () => {
    expect(detect(createDetectors(DEFAULT_SETTINGS), normalTraffic())).to.deep.equal([])
  })

  it('failed-signins-account: N failed sign-ins of one account within W, from changing addresses', () => {
    const events = Array.from({length: 5}, (_, i) =>
      ev(i * 10, {result: 'failed', actor: {type: 'anonymous', upn: 'eve@contoso.example'}, clientIp: `198.51.100.${i}`}),
    )
    const alerts = detect(createDetectors(DEFAULT_SETTINGS, ['failed-signins-account']), events)
    expect(alerts).to.have.length(1)
    expect(alerts[0]).to.include({detector: 'failed-signins-account', subject: 'eve@contoso.example', count: 5})
    expect(alerts[0].seqs).to.deep.equal(events.map((e) => e.seq))
    // Spread wider than the window: quiet.
    const slow = Array.from({length: 5}, (_, i) => ev(i * 20, {result: 'failed', actor: {type: 'anonymous', upn: 'eve@contoso.example'}}))
    expect(detect(createDetectors({...DEFAULT_SETTINGS, failedSignIns: {count: 5, windowSeconds: 60}}, ['failed-signins-account']), slow)).to.deep.equal([])
  })

  it('failed-signins-address: N failed sign-ins from one address, over many accounts (password spraying)', () => {
    const events = Array.from({length: 6}, (_, i) =>
      ev(i, {result: 'failed', actor: {type: 'anonymous', upn: `user${i}@contoso.example`}, clientIp: '203.0.113.9'}),
    )
    expect(names(detect(createDetectors(DEFAULT_SETTINGS), events))).to.deep.equal(['failed-signins-address'])
  })

  it('connector-unblocked: every unblock', () => {
    const alerts = detect(createDetectors(DEFAULT_SETTINGS), [
      ev(0, {action: 'connector.unblocked', target: {type: 'connector', id: 'dropbox'}, actor: {type: 'user', upn: 'admin@contoso.example'}}),
    ])
    expect(alerts).to.have.length(1)
    expect(alerts[0]).to.include({detector: 'connector-unblocked', subject: 'dropbox'})
    expect(alerts[0].summary).to.match(/admin@contoso\.example/)
  })

  it('mass-license-revocation: N revocations within W', () => {
    const events = Array.from({length: 10}, (_, i) => ev(i * 5, {action: 'license.revoked', target: {type: 'user', id: `u${i}`}}))
    const alerts = detect(createDetectors(DEFAULT_SETTINGS), events)
    expect(names(alerts)).to.deep.equal(['mass-license-revocation'])
    expect(alerts[0].count).to.equal(10)
    expect(detect(createDetectors(DEFAULT_SETTINGS), events.slice(0, 9))).to.deep.equal([])
  })

  it('signin-many-addresses: one account from N distinct addresses within W', () => {
    const events = ['192.0.2.1', '192.0.2.1', '198.51.100.7', '203.0.113.5'].map((ip, i) =>
      ev(i * 60, {clientIp: ip, actor: {type: 'user', upn: 'bob@contoso.example'}}),
    )
    const alerts = detect(createDetectors(DEFAULT_SETTINGS), events)
    expect(names(alerts)).to.deep.equal(['signin-many-addresses'])
    expect(alerts[0]).to.include({subject: 'bob@contoso.example', count: 3})
  })

  it('are pure: the same sequence gives the same alerts, whatever the wall clock', () => {
    const events = Array.from({length: 12}, (_, i) =>
      ev(i, {result: 'failed', actor: {type: 'anonymous', upn: 'eve@contoso.example'}, clientIp: '203.0.113.9'}),
    )
    const a = detect(createDetectors(DEFAULT_SETTINGS), events)
    const b = detect(createDetectors(DEFAULT_SETTINGS), events)
    expect(a).to.deep.equal(b)
    expect(a.length).to.equal(4)
  })
})
