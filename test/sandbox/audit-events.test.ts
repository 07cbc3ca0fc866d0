// GET /v1/audit/events: pages, filters, cursors, retention and refusals, against an in-memory audit log.
import {expect} from 'chai'

import {OTHER_TENANT, TENANT, event, getJson, startAuditServer, type AuditServer} from '../helpers/audit-server.js'

describe('audit events API (pages)', () => {
  let server: AuditServer

  beforeEach(async () => {
    server = await startAuditServer()
  })
  afterEach(() => server.close())

  it('pages 250 events by 100 with nextCursor, then null at the end', async () => {
    server.reader.appendMany(Array.from({length: 250}, () => event()))
    const seqs: number[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const res = await getJson(`${server.base}/v1/audit/events?limit=100${cursor ? `&cursor=${cursor}` : ''}`)
      expect(res.status).to.equal(200)
      const body = res.body as {items: Array<{seq: number; tenantId: string}>; nextCursor: string | null}
      seqs.push(...body.items.map((e) => e.seq))
      cursor = body.nextCursor
      pages++
    } while (cursor)
    expect(pages).to.equal(3)
    expect(seqs).to.deep.equal(Array.from({length: 250}, (_, i) => i + 1))
  })

  it('filters by after, action glob, actor, result, since and until', async () => {
    server.reader.appendMany(Array.from({length: 30}, () => event()))
    type Ev = {seq: number; action: string; time: string; result: string; actor: {upn?: string}}
    const q = async (query: string) => (await getJson(`${server.base}/v1/audit/events?${query}`)).body.items as Ev[]
    expect((await q('after=25')).map((e) => e.seq)).to.deep.equal([26, 27, 28, 29, 30])
    const signins = await q('action=signin.*')
    expect(signins.length).to.be.greaterThan(0)
    expect(signins.every((e) => /^signin\./.test(e.action))).to.equal(true)
    expect((await q('action=connector.block')).every((e) => e.action === 'connector.block')).to.equal(true)
    expect((await q('action=signin.f?iled')).every((e) => e.action === 'signin.failed')).to.equal(true)
    const failed = await q('result=failed')
    expect(failed.length).to.equal(10)
    const byUpn = await q('actor=maker@contoso.example')
    expect(byUpn.every((e) => e.actor.upn === 'maker@contoso.example')).to.equal(true)
    expect(byUpn.length).to.equal(15)
    const all = await q('limit=1000')
    const middle = all[10]
    expect((await q(`since=${encodeURIComponent(middle.time)}`)).every((e) => e.time >= middle.time)).to.equal(true)
    expect(await q('until=2000-01-01T00:00:00Z')).to.deep.equal([])
  })

  it("shows only the caller's tenant", async () => {
    server.reader.appendMany([event(), event({tenantId: OTHER_TENANT}), event()])
    const res = await getJson(`${server.base}/v1/audit/events`)
    expect((res.body.items as Array<{tenantId: string}>).map((e) => e.tenantId)).to.deep.equal([TENANT, TENANT])
    const other = await getJson(`${server.base}/v1/audit/events`, {'x-test-tenant': OTHER_TENANT})
    expect((other.body.items as unknown[]).length).to.equal(1)
  })

  it('answers 409 CURSOR_AHEAD with the head for a cursor beyond the last seq, and a page for one at the head', async () => {
    server.reader.appendMany(Array.from({length: 4}, () => event()))
    for (const query of ['after=1004', 'cursor=5']) {
      const res = await getJson(`${server.base}/v1/audit/events?${query}`)
      expect(res.status, query).to.equal(409)
      expect(res.headers['content-type']).to.match(/^application\/problem\+json/)
      expect(res.body).to.include({code: 'CURSOR_AHEAD', headSeq: 4, requestedAfter: Number(query.split('=')[1])})
    }
    const atHead = await getJson(`${server.base}/v1/audit/events?after=4`)
    expect(atHead.status).to.equal(200)
    expect(atHead.body).to.deep.equal({items: [], nextCursor: null})
  })

  it('answers 410 CURSOR_EXPIRED with the oldest retained seq and time for a cursor past retention', async () => {
    server.reader.appendMany(Array.from({length: 100}, () => event()))
    server.reader.prune(TENANT, 60)
    const res = await getJson(`${server.base}/v1/audit/events?after=10`)
    expect(res.status).to.equal(410)
    expect(res.headers['content-type']).to.match(/^application\/problem\+json/)
    expect(res.body).to.include({code: 'CURSOR_EXPIRED', oldestRetainedSeq: 60, requestedAfter: 10, lastSeq: 100})
    expect(res.body.oldestRetainedTime).to.be.a('string')
    expect((await getJson(`${server.base}/v1/audit/events?after=59`)).status).to.equal(200)
  })

  it('refuses bad parameters with 400, a non-admin with 403 and a POST with 405', async () => {
    for (const query of ['limit=0', 'limit=1001', 'after=-1', 'since=yesterday', 'result=maybe', 'action=%3Cscript%3E']) {
      const res = await getJson(`${server.base}/v1/audit/events?${query}`)
      expect(res.status, query).to.equal(400)
      expect(res.body.code).to.equal('INVALID_PARAMETER')
    }
    expect((await getJson(`${server.base}/v1/audit/events`, {'x-test-roles': 'AppUser'})).status).to.equal(403)
    const post = await fetch(`${server.base}/v1/audit/events`, {method: 'POST'})
    expect(post.status).to.equal(405)
    await post.arrayBuffer()
    expect((await getJson(`${server.base}/v1/audit/other`)).status).to.equal(404)
  })
})
