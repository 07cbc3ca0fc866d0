// The cluster API enforces each route's required role from its table entry, before the route's handler runs.
import {expect} from 'chai'
import {mkdtempSync, rmSync} from 'node:fs'
import {createServer, request, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {ROUTES} from '../../src/sandbox/clusters/api/dispatch.js'
import {ClusterSet} from '../../src/sandbox/clusters/cluster-set.js'
import {createClusterHandler} from '../../src/sandbox/clusters/handler.js'
import {Directory} from '../../src/sandbox/directory.js'
import type {Principal} from '../../src/sandbox/gateway/verify-token.js'
import {RouteTable} from '../../src/sandbox/global/route-table.js'
import type {RequiredRole} from '../../src/sandbox/route-spec.js'

const CONTOSO = '2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1'
const maker: Principal = {
  tenantId: CONTOSO,
  subject: 'm',
  oid: 'c0000000-0000-4000-8000-000000000002',
  roles: ['Maker'],
  kind: 'user',
  rateKey: 'm',
  expiresAt: Number.MAX_SAFE_INTEGER,
}

describe('route roles (cluster API, in process)', () => {
  let dir: string
  let set: ClusterSet
  let server: Server
  const get = (path: string) =>
    new Promise<{status: number; body: Record<string, unknown>}>((resolve, reject) => {
      const req = request({host: '127.0.0.1', port: (server.address() as AddressInfo).port, path, agent: false}, (res) => {
        let text = ''
        res.on('data', (d: Buffer) => (text += d))
        res.on('end', () => resolve({status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown>}))
      })
      req.on('error', reject)
      req.end()
    })

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ppctl-roles-'))
    const routes = new RouteTable(dir)
    set = new ClusterSet({dataDir: dir, routes, directory: Directory.open(dir)})
    const handle = createClusterHandler({routes, clusters: set})
    server = createServer((req, res) => void handle('eastus-1', req, res, {correlationId: 'c', traceId: 't'}, maker))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  })
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    set.close()
    rmSync(dir, {recursive: true, force: true})
  })

  it("refuses a Maker the SKU list the table gives Admin, and lets it through once the table's entry says Maker", async () => {
    const skus = ROUTES.find((r) => r.method === 'GET' && r.path === '/v1/licenses/skus') as {role: RequiredRole}
    expect(skus.role).to.equal('Admin')
    const refused = await get('/v1/licenses/skus')
    expect(refused.status).to.equal(403)
    expect(refused.body).to.include({code: 'ROLE_FORBIDDEN', detail: 'One of these roles is required: Admin.'})
    skus.role = 'Maker'
    try {
      const allowed = await get('/v1/licenses/skus')
      expect(allowed.status).to.equal(200)
      expect(allowed.body.items).to.be.an('array').with.length.greaterThan(0)
    } finally {
      skus.role = 'Admin'
    }
  })
})
