// `audit watch --exec` placeholders: replaced inside one argument each, checked at start, and never passed when unsafe.
import {expect} from 'chai'

import type {Alert, WatchedEvent} from '../../../src/lib/audit/detectors/types.js'
import {checkPlaceholders, expandPlaceholders, splitCommand} from '../../../src/lib/audit/exec-alert.js'

const alert: Alert = {
  detector: 'failed-signins-account',
  time: '2026-12-02T07:00:00.000Z',
  subject: 'maker@contoso.example',
  summary: '3 failed sign-ins for maker@contoso.example within 60 s',
  count: 3,
  windowSeconds: 60,
  seqs: [7, 8, 9],
}
const event = (actor: WatchedEvent['actor']): WatchedEvent => ({
  seq: 9,
  time: alert.time,
  tenantId: 'contoso-id',
  action: 'signin',
  result: 'failed',
  actor,
  clientIp: '127.0.0.1',
})

describe('audit watch --exec placeholders', () => {
  it("replaces the alert's and its event's fields, each inside its own argument", () => {
    const argv = splitCommand("ppctl user revoke-sessions {actor.upn} --yes --note 'seq={seq} by {detector}' {count}")
    const out = expandPlaceholders(argv, alert, event({type: 'user', id: 'oid-1', upn: 'maker@contoso.example'}))
    expect(out).to.deep.equal({
      argv: ['ppctl', 'user', 'revoke-sessions', 'maker@contoso.example', '--yes', '--note', 'seq=9 by failed-signins-account', '3'],
    })
  })

  it('keeps a value with spaces or shell characters as one argument, verbatim', () => {
    const out = expandPlaceholders(['notify', '{actor.upn}'], alert, event({type: 'anonymous', upn: 'a b;$(rm -rf ~)@x'}))
    expect(out).to.deep.equal({argv: ['notify', 'a b;$(rm -rf ~)@x']})
  })

  it('skips the run for a value that would read as an option, holds control characters, or is missing', () => {
    expect(expandPlaceholders(['ppctl', '{actor.upn}'], alert, event({type: 'anonymous', upn: '--profile=evil'}))).to.deep.equal({
      skipped: '{actor.upn} starts with "-" and would read as an option',
    })
    expect(expandPlaceholders(['x', '{actor.upn}'], alert, event({type: 'anonymous', upn: 'a\u001b[2Jb'})))
      .to.have.property('skipped')
      .that.match(/control/)
    expect(expandPlaceholders(['x', '{actor.appId}'], alert, event({type: 'user', upn: 'u@x'}))).to.deep.equal({skipped: 'the alert has no {actor.appId}'})
  })

  it('refuses an unknown placeholder at start, naming the known ones', () => {
    expect(() => checkPlaceholders(['ppctl', '{actor.upm}'])).to.throw(/\{actor\.upm\} is not a placeholder/)
    expect(() => checkPlaceholders(['ppctl', '{actor.upn}', '{subject}', 'plain', '{}'])).not.to.throw()
  })
})
