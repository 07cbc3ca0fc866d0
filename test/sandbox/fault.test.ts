// Injected cluster faults through a real gateway in process: down (reset, 503), slow, flaky, throttle, up; and the control routes.
import {expect} from 'chai'
import {createServer, request, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {controlRequest} from '../../src/lib/sandbox/lifecycle.js'
import {createControlHandler} from '../../src/sandbox/control.js'
import {FaultTable} from '../../src/sandbox/faults/fault-table.js'
import {createGateway} from '../../src/sandbox/gateway/gateway.js'
import type {Principal} from '../../src/sandbox/gateway/verify-token.js'
import {sendJson} from '../../src/sandbox/http-util.js'

const PRINCIPAL: Principal = {tenantId: 't', subject: 's', roles: ['Admin'], kind: 'user', rateKey: 'k', expiresAt: 0}

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Record<string, unknown>
}

describe('sandbox faults (gateway)', () => {
  let server: Server
  let port: number
  let faults: FaultTable
  let clock = 0
  let draws: number[] = []
  let sleeps: Array<{ms: number; release: () => void}> = []
  let sleepStarted: (() => void) | undefined
  let clusterCalls = 0

  beforeEach(async () => {
    clock = 1_000_000
    draws = []
    sleeps = []
    clusterCalls = 0
    faults = new FaultTable({
      now: () => clock,
      random: () => draws.shift() ?? 0.999,
      sleep: (ms) =>
        new Promise<void>((resolve) => {
          sleeps.push({ms, release: resolve})
          sleepStarted?.()
        }),
    })
    const gateway = createGateway({
      identity: (_req, res) => sendJson(res, 200, {service: 'identity'}),
      global: (_req, res) => sendJson(res, 200, {service: 'global'}),
      cluster: (clusterId, _req, res) => {
        clusterCalls++
        sendJson(res, 200, {clusterId})
      },
      clusterIds: ['eastus-1', 'westus-1'],
      verify: async () => PRINCIPAL,
      rateLimit: {rps: 1e6, burst: 1e6},
      health: () => ({}),
      requestLog: () => {},
      fault: faults.intercept,
    })
    server = createServer((req, res) => void gateway(req, res))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })

  afterEach(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  const call = (cluster: string): Promise<Answer> =>
    new Promise((resolve, reject) => {
      request(
        {host: '127.0.0.1', port, path: '/v1/connectors', headers: {host: `${cluster}.clusters.sandbox.localhost`, authorization: 'Bearer x'}, agent: false},
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8'))}))
        },
      )
        .on('error', reject)
        .end()
    })

  it('passes requests through when no fault is set, and only the faulted cluster misbehaves', async () => {
    faults.set('westus-1', {kind: 'down', mode: '503'})
    expect((await call('eastus-1')).status).to.equal(200)
    expect((await call('westus-1')).status).to.equal(503)
  })

  it('down (reset) drops the connection without an answer; down (503) answers 503 with Retry-After', async () => {
    faults.set('eastus-1', {kind: 'down', mode: 'reset'})
    const err = await call('eastus-1').then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e,
    )
    expect(err?.code).to.be.oneOf(['ECONNRESET', 'EPIPE'])
    faults.set('eastus-1', {kind: 'down', mode: '503'})
    const res = await call('eastus-1')
    expect(res.status).to.equal(503)
    expect(res.headers['retry-after']).to.equal('1')
    expect(res.headers['content-type']).to.match(/^application\/problem\+json/)
    expect(res.body).to.include({code: 'CLUSTER_UNAVAILABLE', clusterId: 'eastus-1'})
    expect(clusterCalls).to.equal(0)
  })

  it('slow holds each request for the given time before the cluster answers', async () => {
    faults.set('eastus-1', {kind: 'slow', ms: 1500})
    const started = new Promise<void>((resolve) => (sleepStarted = resolve))
    let answered = false
    const pending = call('eastus-1').then((r) => {
      answered = true
      return r
    })
    await started
    expect(sleeps.map((s) => s.ms)).to.deep.equal([1500])
    expect(answered).to.equal(false)
    expect(clusterCalls).to.equal(0)
    sleeps[0].release()
    const res = await pending
    expect(res.status).to.equal(200)
    expect(clusterCalls).to.equal(1)
  })

  it('flaky answers 503 with Retry-After for the drawn fraction of requests', async () => {
    faults.set('eastus-1', {kind: 'flaky', rate: 0.3})
    draws = [0.1, 0.5, 0.29, 0.31, 0.0, 0.99]
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) {
      const res = await call('eastus-1')
      statuses.push(res.status)
      if (res.status === 503) expect(res.headers['retry-after']).to.equal('1')
    }
    expect(statuses).to.deep.equal([503, 200, 503, 200, 503, 200])
  })

  it('throttle answers 429 with Retry-After beyond the rate, and recovers as time passes', async () => {
    faults.set('eastus-1', {kind: 'throttle', rps: 2})
    const first = [await call('eastus-1'), await call('eastus-1'), await call('eastus-1')]
    expect(first.map((r) => r.status)).to.deep.equal([200, 200, 429])
    expect(first[2].body).to.include({code: 'CLUSTER_THROTTLED'})
    expect(Number(first[2].headers['retry-after'])).to.be.greaterThanOrEqual(1)
    clock += 1000
    expect((await call('eastus-1')).status).to.equal(200)
  })

  it('up clears the fault', async () => {
    faults.set('eastus-1', {kind: 'down', mode: '503'})
    expect((await call('eastus-1')).status).to.equal(503)
    expect(faults.clear('eastus-1')?.kind).to.equal('down')
    expect((await call('eastus-1')).status).to.equal(200)
    expect(faults.all()).to.deep.equal([])
  })
})

describe('sandbox faults (control socket)', () => {
  let dir: string
  let socket: string
  let control: Server

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ppctl-fault-'))
    socket = join(dir, 'control.sock')
    control = createServer(createControlHandler({directory: {} as never, health: () => ({}), faults: new FaultTable()}))
    await new Promise<void>((resolve) => control.listen(socket, resolve))
  })

  after(async () => {
    await new Promise<void>((resolve) => control.close(() => resolve()))
    rmSync(dir, {recursive: true, force: true})
  })

  it('sets, lists and clears faults, and refuses unknown clusters and invalid specs', async () => {
    const set = await controlRequest<{fault: {clusterId: string; kind: string; rate: number}}>(socket, 'PUT', '/v1/faults/westus-1', {
      kind: 'flaky',
      rate: 0.25,
    })
    expect(set.status).to.equal(200)
    expect(set.body.fault).to.include({clusterId: 'westus-1', kind: 'flaky', rate: 0.25})
    const listed = await controlRequest<{faults: Array<{clusterId: string}>}>(socket, 'GET', '/v1/faults')
    expect(listed.body.faults.map((f) => f.clusterId)).to.deep.equal(['westus-1'])
    expect((await controlRequest<{code: string}>(socket, 'PUT', '/v1/faults/mars-1', {kind: 'down', mode: 'reset'})).body.code).to.equal('CLUSTER_NOT_FOUND')
    for (const bad of [{kind: 'flaky', rate: 2}, {kind: 'slow', ms: -1}, {kind: 'throttle', rps: 0}, {kind: 'melt'}, {kind: 'down', mode: 'x'}]) {
      const res = await controlRequest<{code: string}>(socket, 'PUT', '/v1/faults/eastus-1', bad)
      expect(res.status, JSON.stringify(bad)).to.equal(400)
      expect(res.body.code).to.equal('INVALID_FAULT')
    }
    const cleared = await controlRequest<{cleared: {kind: string}; faults: unknown[]}>(socket, 'DELETE', '/v1/faults/westus-1')
    expect(cleared.body.cleared.kind).to.equal('flaky')
    expect(cleared.body.faults).to.deep.equal([])
  })
})
