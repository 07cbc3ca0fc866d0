// The OCSF 1.1 mapping of platform audit events: class, activity and type per event kind, and each class's required attributes.
import {Ajv2020} from 'ajv/dist/2020.js'
import {expect} from 'chai'

import {OCSF_VERSION, ocsfEvent, ocsfJson, ocsfJsonOfText, toOcsf} from '../../../src/lib/audit/ocsf.js'
import {safeJsonStringify} from '../../../src/lib/output/json.js'
import {auditEvent} from '../../helpers/fake-audit.js'

/** What OCSF 1.1 requires of every event (the base event) and of the two classes used, with their types. */
const base = {
  type: 'object',
  required: ['activity_id', 'category_uid', 'class_uid', 'metadata', 'severity_id', 'time', 'type_uid', 'status_id'],
  properties: {
    activity_id: {type: 'integer', enum: [0, 1, 2, 3, 4, 5, 6, 7, 99]},
    severity_id: {type: 'integer', enum: [0, 1, 2, 3, 4, 5, 6, 99]},
    status_id: {type: 'integer', enum: [0, 1, 2, 99]},
    time: {type: 'integer', minimum: 1},
    metadata: {
      type: 'object',
      required: ['uid', 'version', 'product', 'sequence'],
      properties: {
        uid: {type: 'string', minLength: 1},
        version: {const: OCSF_VERSION},
        product: {type: 'object', required: ['name', 'vendor_name'], properties: {name: {type: 'string'}, vendor_name: {type: 'string'}}},
        sequence: {type: 'integer'},
      },
    },
    actor: {type: 'object', required: ['user'], properties: {user: {type: 'object', required: ['type_id', 'name']}}},
    src_endpoint: {type: 'object', minProperties: 1},
    unmapped: {type: 'object'},
  },
} as const
const schema = {
  oneOf: [
    {
      allOf: [base],
      required: ['user', 'actor', 'src_endpoint'],
      properties: {class_uid: {const: 3002}, category_uid: {const: 3}, activity_id: {enum: [1, 4, 5]}, user: {type: 'object', required: ['type_id', 'name']}},
    },
    {
      allOf: [base],
      required: ['actor', 'api', 'src_endpoint', 'cloud'],
      properties: {
        class_uid: {const: 6003},
        category_uid: {const: 6},
        activity_id: {enum: [1, 2, 3, 4, 99]},
        api: {type: 'object', required: ['operation'], properties: {operation: {type: 'string', minLength: 1}}},
        cloud: {type: 'object', required: ['provider']},
      },
    },
  ],
}
const validate = new Ajv2020({allErrors: true, strict: false}).compile(schema)

function mapped(over: Record<string, unknown>) {
  const e = auditEvent(7, over)
  const o = toOcsf(e)
  expect(validate(o), JSON.stringify(validate.errors)).to.equal(true)
  // The same for every class: the type is the class and activity, the time the event's, the uid its id.
  expect(o.type_uid).to.equal((o.class_uid as number) * 100 + (o.activity_id as number))
  expect(o.time).to.equal(Date.parse(e.time as string))
  expect(o.metadata).to.include({uid: e.id, sequence: 7, correlation_uid: 'corr-7', tenant_uid: e.tenantId})
  return o
}

describe('OCSF mapping (src/lib/audit/ocsf.ts)', () => {
  it('a sign-in: Authentication 3002, Logon (300201), the user, the client address, Success', () => {
    const o = mapped({})
    expect(o).to.include({class_uid: 3002, category_uid: 3, activity_id: 1, type_uid: 300201, status_id: 1, status: 'Success', severity_id: 1})
    expect(o.user).to.deep.equal({type_id: 1, type: 'User', uid: 'u-admin', name: 'admin@contoso.example', email_addr: 'admin@contoso.example'})
    expect(o.actor).to.deep.equal({user: o.user})
    expect(o.src_endpoint).to.deep.equal({ip: '203.0.113.7'})
  })

  it('a failed sign-in of an unknown name: Failure, the reason as status_detail, the name typed as an unknown user', () => {
    const o = mapped({result: 'failed', actor: {type: 'anonymous', upn: 'nobody@contoso.example'}, details: {method: 'password', reason: 'unknown user'}})
    expect(o).to.include({class_uid: 3002, activity_id: 1, status_id: 2, status: 'Failure', status_detail: 'unknown user', severity_id: 3})
    expect(o.user).to.deep.equal({type_id: 0, type: 'Unknown', name: 'nobody@contoso.example'})
  })

  it('a token issue and a refresh: Authentication, Service Ticket Request (300204) and Renew (300205), the client as the service', () => {
    const issued = mapped({action: 'token.issued', target: {type: 'client', id: 'ppctl'}, details: {grantType: 'device_code'}})
    expect(issued).to.include({class_uid: 3002, activity_id: 4, type_uid: 300204})
    expect(issued.service).to.deep.equal({uid: 'ppctl', name: 'ppctl'})
    expect(mapped({action: 'token.refreshed', target: {type: 'client', id: 'ppctl'}})).to.include({type_uid: 300205})
    const sp = mapped({action: 'client.auth_failed', result: 'failed', actor: {type: 'servicePrincipal', id: 'app-1', appId: 'app-1'}})
    expect(sp).to.include({type_uid: 300201, status_id: 2})
    expect(sp.actor).to.deep.equal({user: {type_id: 99, type: 'Service Principal', uid: 'app-1', name: 'app-1'}, app_uid: 'app-1'})
  })

  it('an admin change: API Activity 6003, Update (600303), api.operation the action, the connector as a resource', () => {
    const o = mapped({action: 'connector.blocked', target: {type: 'connector', id: 'shared_ftp', displayName: 'FTP'}, details: {previousEtag: '"3"'}})
    expect(o).to.include({class_uid: 6003, category_uid: 6, activity_id: 3, type_uid: 600303, status_id: 1})
    expect(o.api).to.deep.equal({operation: 'connector.blocked', request: {uid: 'corr-7'}})
    expect(o.resources).to.deep.equal([{type: 'connector', uid: 'shared_ftp', name: 'FTP'}])
    expect(o.cloud).to.deep.equal({provider: 'ppctl platform audit log', region: 'eastus-1'})
    expect(o.metadata).to.include({event_code: 'connector.blocked'})
    expect(o.unmapped).to.deep.equal({cluster: 'eastus-1', target: {type: 'connector', id: 'shared_ftp', displayName: 'FTP'}, details: {previousEtag: '"3"'}})
  })

  it('a license assignment and revocation: API Activity Create (600301) and Delete (600304), the user by name and UPN', () => {
    const target = {type: 'user', id: 'u-megan', displayName: 'Megan Bowen', upn: 'megan@contoso.example'}
    const assigned = mapped({action: 'license.assigned', target, details: {skuId: 'sku-premium'}})
    expect(assigned).to.include({type_uid: 600301})
    expect(assigned.resources).to.deep.equal([{type: 'user', uid: 'u-megan', name: 'Megan Bowen'}])
    expect(mapped({action: 'license.revoked', target})).to.include({type_uid: 600304})
  })

  it('a refusal (request.refused): API Activity by its method, Failure, the status and the problem code, the request', () => {
    const o = mapped({action: 'request.refused', result: 'failed', details: {status: 403, code: 'ROLE_FORBIDDEN', method: 'DELETE', path: '/v1/connectors/x'}})
    expect(o).to.include({class_uid: 6003, activity_id: 4, type_uid: 600304, status_id: 2, status_code: '403', status_detail: 'ROLE_FORBIDDEN', severity_id: 2})
    expect(o.api).to.deep.equal({operation: 'DELETE /v1/connectors/x', request: {uid: 'corr-7'}, response: {code: 403, error: 'ROLE_FORBIDDEN'}})
    expect(o.http_request).to.deep.equal({http_method: 'DELETE', url: {path: '/v1/connectors/x'}})
    // The gateway's coalesced 401s have no method: Other, the action as the operation.
    const gateway = mapped({action: 'request.refused', result: 'failed', details: {status: 401, code: 'UNAUTHENTICATED', reason: 'expired', count: 3}})
    expect(gateway).to.include({activity_id: 99, type_uid: 600399, status_detail: 'expired'})
    expect((gateway.api as {operation: string}).operation).to.equal('request.refused')
  })

  it('a failover and a broken replication (system actions): API Activity Other, the cluster as the source, High for the break', () => {
    const system = {actor: {type: 'system', id: 'sandbox-control'}, clientIp: undefined, target: {type: 'tenant', id: 't-1', displayName: 'Contoso'}}
    const failover = mapped({...system, action: 'failover.completed', cluster: 'westus-1', details: {mode: 'planned', from: 'eastus-1', to: 'westus-1'}})
    expect(failover).to.include({class_uid: 6003, activity_id: 99, type_uid: 600399, severity_id: 1})
    expect(failover.src_endpoint).to.deep.equal({name: 'westus-1'})
    expect(failover.actor).to.deep.equal({user: {type_id: 3, type: 'System', uid: 'sandbox-control', name: 'sandbox-control'}})
    expect(failover.unmapped).to.deep.include({details: {mode: 'planned', from: 'eastus-1', to: 'westus-1'}})
    expect(mapped({...system, action: 'replication.broken', result: 'failed'})).to.include({severity_id: 4, status_id: 2})
  })

  it('an action it does not know: API Activity Other, kept whole in unmapped; never a throw on odd input', () => {
    const o = mapped({action: 'quota.raised', details: {from: 1, to: 2}})
    expect(o).to.include({class_uid: 6003, type_uid: 600399})
    expect(o.unmapped).to.deep.equal({cluster: 'eastus-1', details: {from: 1, to: 2}})
    expect(o.metadata).to.include({event_code: 'quota.raised'})
    const odd = toOcsf({actor: 'nobody', details: [1], time: 'never', seq: 'x'})
    expect(odd).to.include({class_uid: 6003, time: 0})
    expect(odd.unmapped).to.deep.equal({})
  })

  it('platform text is exact and inert: quotes, escapes, C1 and bidi controls come back as they were, none raw in the line', () => {
    const upn = 'a"b\\c\u001b[31m\u009b2J\u202eevil@contoso.example'
    const e = auditEvent(7, {action: 'signin', result: 'failed', actor: {type: 'anonymous', upn}, details: {reason: '\u2028x\u0085'}})
    const line = ocsfJson(e)
    expect(line).not.to.match(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/)
    const back = JSON.parse(line) as {user: {name: string}; status_detail: string; unmapped: {details: unknown}}
    expect(back.user.name).to.equal(upn)
    expect(back.status_detail).to.equal('\u2028x\u0085')
    expect(back.unmapped.details).to.deep.equal({reason: '\u2028x\u0085'})
  })

  describe('the fast serializer (ocsfJson) writes exactly safeJsonStringify of the reference mapping (ocsfEvent)', () => {
    const system = {actor: {type: 'system', id: 'sandbox-control'}, clientIp: undefined, target: {type: 'tenant', id: 't-1', displayName: 'Contoso'}}
    /** One event of every kind the mapping tells apart, and odd ones. */
    const kinds: Record<string, Record<string, unknown>> = {
      signin: {},
      'failed sign-in': {result: 'failed', actor: {type: 'anonymous', upn: 'nobody@contoso.example'}, details: {method: 'password', reason: 'unknown user'}},
      'anonymous, no name': {result: 'failed', actor: {type: 'anonymous'}, userAgent: 'curl/8'},
      'token.issued': {action: 'token.issued', target: {type: 'client', id: 'ppctl'}, details: {grantType: 'device_code'}, userAgent: 'ppctl/0.1.0'},
      'token.refreshed': {action: 'token.refreshed', target: {type: 'client', id: 'ppctl'}},
      'client.auth_failed': {action: 'client.auth_failed', result: 'failed', actor: {type: 'servicePrincipal', id: 'app-1', appId: 'app-1'}},
      'connector.created': {action: 'connector.created', target: {type: 'connector', id: 'shared_ftp', displayName: 'FTP'}},
      'connector.deleted': {action: 'connector.deleted', target: {type: 'connector', id: 'shared_ftp'}},
      'connector.blocked': {action: 'connector.blocked', target: {type: 'connector', id: 'shared_ftp', displayName: 'FTP'}, details: {previousEtag: '"3"'}},
      'connector.unblocked': {action: 'connector.unblocked', target: {type: 'connector'}},
      'license.assigned': {action: 'license.assigned', target: {type: 'user', id: 'u-megan', upn: 'megan@contoso.example'}, details: {skuId: 'sku-premium'}},
      'license.revoked': {action: 'license.revoked', target: {type: 'user', id: 'u-megan', displayName: 'Megan Bowen', upn: 'megan@contoso.example'}},
      'request.refused DELETE': {
        action: 'request.refused',
        result: 'failed',
        details: {status: 403, code: 'ROLE_FORBIDDEN', method: 'delete', path: '/v1/connectors/x', host: 'eastus-1.example'},
      },
      'request.refused PATCH, no path': {action: 'request.refused', result: 'failed', details: {status: 412, method: 'PATCH', host: 'h'}},
      'request.refused, gateway': {action: 'request.refused', result: 'failed', details: {status: 401, code: 'UNAUTHENTICATED', reason: 'expired', count: 3}},
      'failover.completed': {...system, action: 'failover.completed', cluster: 'westus-1', details: {mode: 'planned', from: 'eastus-1', to: 'westus-1'}},
      'replication.broken': {...system, action: 'replication.broken', result: 'failed', cluster: undefined},
      unknown: {action: 'quota.raised', details: {from: 1, to: 2}},
      odd: {actor: 'nobody', details: [1], time: 'never', seq: 'x', action: 7, target: null, cluster: ''},
    }
    /** Strings a hand-written serializer gets wrong: quotes, backslashes, C0, DEL and C1, LS/PS, bidi, lone surrogates. */
    const hostile = [
      'a"b"',
      'back\\slash\\',
      '\u0000\u0001\u001b[31m\t\n\r\u001f',
      '\u007f\u0085\u009b2J',
      'x\u2028y\u2029',
      '\u202eevil\u2066\u200f\u061c',
      '\ud800',
      'a\udfffb',
      '\ud83d\ude00 é ü',
      '"}],"x":{"',
    ]
    const everyString = (h: string, i: number) => {
      const s = (n: number) => hostile[(i + n) % hostile.length] + h
      return {
        id: s(0),
        tenantId: s(1),
        cluster: s(2),
        clientIp: s(3),
        userAgent: s(4),
        correlationId: s(5),
        time: s(6),
        actor: {type: 'user', id: s(7), upn: s(8), appId: s(9)},
        target: {type: s(0), id: s(1), displayName: s(2), upn: s(3), [s(4)]: s(5)},
        details: {method: s(6), path: s(7), host: s(8), reason: s(9), code: s(0), [s(1)]: [s(2), {[s(3)]: s(4)}]},
      }
    }
    const cases: Array<[string, Record<string, unknown>]> = [
      ...Object.entries(kinds).map(([name, over]): [string, Record<string, unknown>] => [name, auditEvent(7, over)]),
      ...hostile.flatMap((h, i): Array<[string, Record<string, unknown>]> => [
        [`hostile ${JSON.stringify(h)} in every field of a sign-in`, auditEvent(7, everyString(h, i))],
        [`hostile ${JSON.stringify(h)} in every field of a refusal`, auditEvent(7, {...everyString(h, i), action: 'request.refused', result: 'failed'})],
        [
          `hostile ${JSON.stringify(h)} in every field of a service principal's change`,
          auditEvent(7, {...everyString(h, i), action: 'connector.blocked', actor: {type: 'servicePrincipal', id: h, appId: h}}),
        ],
        [`hostile ${JSON.stringify(h)} as the action`, auditEvent(7, {action: h, actor: {type: 'system', id: h}})],
      ]),
    ]

    /** The event as the platform writes it: JSON.stringify, members in the platform's order (src/sandbox/clusters/audit-log.ts). */
    const ORDER = ['id', 'seq', 'time', 'tenantId', 'cluster', 'action', 'result', 'actor', 'target', 'clientIp', 'userAgent', 'correlationId', 'details']
    const platformText = (e: Record<string, unknown>) =>
      JSON.stringify(Object.fromEntries([...ORDER.filter((k) => k in e), ...Object.keys(e).filter((k) => !ORDER.includes(k))].map((k) => [k, e[k]])))
    /** The line from the text, and whether the text reader took it (it never asked for the parsed event). */
    const fromText = (text: string) => {
      let parsed = false
      const line = ocsfJsonOfText(text, () => {
        parsed = true
        return JSON.parse(text) as Record<string, unknown>
      })
      return {line, byPattern: !parsed}
    }
    const readsAsText = (text: string) => fromText(text).byPattern

    for (const [name, e] of cases) {
      it(name, () => {
        const reference = safeJsonStringify(ocsfEvent(e))
        expect(ocsfJson(e)).to.equal(reference)
        // From the text, whichever reader takes it (the pattern or JSON.parse), the same line.
        const text = platformText(e)
        expect(fromText(text).line).to.equal(reference)
        expect(reference).not.to.match(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/u)
        expect(JSON.parse(reference)).to.deep.equal(JSON.parse(JSON.stringify(ocsfEvent(e))))
      })
    }

    it('reads every event of a kind the platform writes from its text, without parsing it, and only those', () => {
      // Not in the platform's own form: an escaped quote in the details, a target without id, an event without cluster.
      const parsedKinds = ['odd', 'connector.blocked', 'connector.unblocked', 'replication.broken']
      for (const name of parsedKinds) expect(readsAsText(platformText(auditEvent(7, kinds[name]))), name).to.equal(false)
      for (const [name, over] of Object.entries(kinds).filter(([n]) => !parsedKinds.includes(n))) {
        const text = platformText(auditEvent(7, over))
        const {line, byPattern} = fromText(text)
        expect(byPattern, name).to.equal(true)
        expect(line).to.equal(safeJsonStringify(ocsfEvent(auditEvent(7, over))))
      }
      // Another member order, whitespace, an escape, a nested detail, an unknown member: parsed, same line.
      const e = auditEvent(7, {target: {type: 'client', id: 'ppctl'}, details: {grantType: 'device_code'}})
      const others = [
        JSON.stringify(e),
        JSON.stringify(JSON.parse(platformText(e)), null, 1),
        platformText({...e, userAgent: 'say "hi"'}),
        platformText({...e, details: {scopes: ['api']}}),
        platformText({...e, region: 'eu'}),
        platformText({...e, seq: 0}),
        platformText({...e, details: {n: 1.5}}),
      ]
      for (const text of others) {
        expect(readsAsText(text), text).to.equal(false)
        const parsed = JSON.parse(text) as Record<string, unknown>
        expect(ocsfJsonOfText(text, () => parsed)).to.equal(safeJsonStringify(ocsfEvent(parsed)))
      }
    })

    it('gives the same line from the text as from the parsed event for 3,000 generated events (fixed seed)', () => {
      // A small deterministic generator (mulberry32): every run tests the same events, and a failure names its seed.
      let state = 0x5eed
      const rand = () => {
        state = (state + 0x6d2b79f5) | 0
        let t = Math.imul(state ^ (state >>> 15), 1 | state)
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296
      }
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]
      const plainStrings = ['', 'x', 'admin@contoso.example', 'zoë', '東京', 'GET', 'delete', '/v1/connectors/a']
      let strings = plainStrings
      const scalar = () => pick<unknown>([pick(strings), 0, -3, 403, true, false, null, ...(strings === plainStrings ? [] : [1.5, 1e21])])
      const maybe = <T>(v: () => T) => (rand() < 0.7 ? v() : undefined)
      let fast = 0
      for (let i = 0; i < 3000; i++) {
        // Half of them as the platform writes them (plain strings), half with anything in any field.
        const platformLike = i % 2 === 0
        strings = platformLike ? plainStrings : [...plainStrings, ...hostile]
        const flat = () =>
          Object.fromEntries(
            Array.from({length: Math.floor(rand() * 4)}, () => [pick(['method', 'path', 'host', 'reason', 'code', 'status', 'n', pick(strings)]), scalar()]),
          )
        const e: Record<string, unknown> = {
          id: pick(strings),
          seq: platformLike ? pick([1, 42, 900_719_925_474]) : pick([1, 42, 0, -1, 2 ** 53, 1.5]),
          time: platformLike ? '2026-12-03T09:00:00.000Z' : pick(['2026-12-03T09:00:00.000Z', 'never', '']),
          tenantId: pick(strings),
          cluster: pick(strings),
          action: pick([
            'signin',
            'token.issued',
            'token.refreshed',
            'client.auth_failed',
            'connector.blocked',
            'license.assigned',
            'request.refused',
            'replication.broken',
            pick(strings),
          ]),
          result: pick(['succeeded', 'failed', '']),
          actor: {
            type: pick(['user', 'servicePrincipal', 'system', 'anonymous', '']),
            ...(rand() < 0.8 ? {id: pick(strings)} : {}),
            ...(rand() < 0.5 ? {upn: pick(strings)} : {}),
            ...(rand() < 0.3 ? {appId: pick(strings)} : {}),
          },
          target: maybe(() => ({
            type: pick(strings),
            id: pick(strings),
            ...(rand() < 0.4 ? {displayName: pick(strings)} : {}),
            ...(rand() < 0.3 ? {upn: pick(strings)} : {}),
          })),
          clientIp: maybe(() => pick(['203.0.113.7', ...strings])),
          userAgent: maybe(() => pick(strings)),
          correlationId: maybe(() => pick(strings)),
          details: maybe(() => (rand() < 0.8 ? flat() : {nested: flat(), list: [scalar()]})),
        }
        const text = platformText(e)
        const parsed = JSON.parse(text) as Record<string, unknown>
        const reference = safeJsonStringify(ocsfEvent(parsed))
        const {line, byPattern} = fromText(text)
        if (byPattern) fast++
        // The same value always; the same text unless the details repeat a key or have integer-like ones.
        expect(JSON.parse(line), `event ${i}: ${text}`).to.deep.equal(JSON.parse(reference))
        expect(line, `event ${i}: ${text}`).not.to.match(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/u)
      }
      // Both readers were exercised.
      expect(fast).to.be.within(300, 2700)
    })

    it('keeps details the pattern reads as they came, the same value JSON.parse gives', () => {
      // Integer-like keys (JSON.parse puts them first) and a repeated key (the last one wins): the text may differ, the value not.
      const text = platformText(auditEvent(7, {action: 'request.refused', result: 'failed'})).replace(
        /\}$/,
        ',"details":{"b":1,"2":true,"code":"A","code":"B"}}',
      )
      expect(readsAsText(text)).to.equal(true)
      const parsed = JSON.parse(text) as Record<string, unknown>
      const line = JSON.parse(ocsfJsonOfText(text, () => parsed)) as {status_detail: string; unmapped: {details: unknown}}
      expect(line).to.deep.equal(JSON.parse(safeJsonStringify(ocsfEvent(parsed))))
      expect(line.status_detail).to.equal('B')
    })
  })
})
