// The error boundary of the platform's listener: a service that throws or rejects gets one 500 for that request, and the next request is served.
import {createServer, request, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {expect} from 'chai'

import {createGateway} from '../../src/sandbox/gateway/gateway.js'
import type {Principal} from '../../src/sandbox/gateway/verify-token.js'
import {sendJson} from '../../src/sandbox/http-util.js'
import {guardRequests} from '../../src/sandbox/listener.js'

const principal = {kind: 'user', subject: 's', tenantId: 't', roles: ['AppUser'], rateKey: 'k'} as unknown as Principal

function get(port: number, host: string, path: string): Promise<{status: number; type: string; body: string}> {
  return new Promise((resolve, reject) => {
    const req = request({host: '127.0.0.1', port, path, headers: {host, authorization: 'Bearer x'}, agent: false}, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => (body += d.toString('utf8')))
      res.on('end', () => resolve({status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body}))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('request error boundary', () => {
  let server: Server
  let port: number
  const logged: string[] = []

  before(async () => {
    const gateway = createGateway({
      identity: () => {
        throw new Error('identity exploded')
      },
      global: (req, res) => {
        if (req.url === '/boom') throw new Error('global exploded')
        sendJson(res, 200, {ok: true})
      },
      // A service whose promise rejects after the request began: before, an unhandled rejection that ended the process.
      cluster: async (_id, req, res) => {
        await Promise.resolve()
        if (req.url === '/boom') throw new Error('cluster exploded')
        sendJson(res, 200, {ok: true})
      },
      clusterIds: ['eastus-1'],
      verify: async () => principal,
      rateLimit: {rps: 1000, burst: 1000},
      health: () => ({status: 'ok'}),
      requestLog: () => {},
    })
    server = createServer(guardRequests(gateway, 'gateway', (line) => logged.push(line)))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  for (const [name, host] of [
    ['a cluster service that rejects', 'eastus-1.clusters.sandbox.localhost'],
    ['the global service that throws', 'global.sandbox.localhost'],
    ['the identity that throws', 'login.sandbox.localhost'],
  ] as const) {
    it(`answers ${name} with one 500 problem, no stack, and serves the next request`, async () => {
      const failed = await get(port, host, '/boom')
      expect(failed.status).to.equal(500)
      expect(failed.type).to.match(/^application\/problem\+json/)
      const problem = JSON.parse(failed.body) as {code: string; traceId: string}
      expect(problem.code).to.equal('INTERNAL')
      expect(failed.body).to.not.contain('exploded')
      const next = await get(port, host === 'login.sandbox.localhost' ? 'sandbox.localhost' : host, host === 'login.sandbox.localhost' ? '/healthz' : '/fine')
      expect(next.status).to.equal(200)
    })
  }

  it('logs the failure with its trace id once, through the boundary a listener wraps around any handler', async () => {
    const guarded = createServer(
      guardRequests(
        () => {
          throw new Error('listener exploded')
        },
        'control',
        (line) => logged.push(line),
      ),
    )
    await new Promise<void>((resolve) => guarded.listen(0, '127.0.0.1', resolve))
    try {
      const res = await get((guarded.address() as AddressInfo).port, 'localhost', '/x')
      expect(res.status).to.equal(500)
      const {traceId} = JSON.parse(res.body) as {traceId: string}
      expect(logged.filter((l) => l.includes(`trace=${traceId}`) && l.includes('listener exploded'))).to.have.length(1)
    } finally {
      await new Promise<void>((resolve) => guarded.close(() => resolve()))
    }
  })
})
