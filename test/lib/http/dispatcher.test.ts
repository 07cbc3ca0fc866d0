// The dispatcher's trust with a profile CA and NODE_EXTRA_CA_CERTS: the profile's server is verified at the first
// handshake, a server only NODE_EXTRA_CA_CERTS vouches for after one more (every concurrent one of them), and one
// nobody vouches for is refused after that — real TLS servers on 127.0.0.1 that count their connections.
import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:https'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {Dispatcher} from 'undici'

import {createDispatcher} from '../../../src/lib/http/dispatcher.js'
import {createTestPki, type TestPki} from '../../helpers/http-fixtures.js'

interface CountingServer {
  origin: string
  /** TCP connections accepted (a refused handshake counts too). */
  connections: number
  close(): Promise<void>
}

async function countingServer(name: string, pki: TestPki): Promise<CountingServer> {
  const server: Server = createServer({cert: pki.cert, key: pki.key}, (req, res) => res.end(req.url))
  const counting = {origin: '', connections: 0, close: () => new Promise<void>((resolve) => server.close(() => resolve()))}
  server.on('connection', () => counting.connections++)
  // A refused handshake is the client's doing; the server only notes it.
  server.on('tlsClientError', () => undefined)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('no port')
  counting.origin = `https://${name}:${address.port}`
  return counting
}

async function get(dispatcher: Dispatcher, origin: string, path: string): Promise<string> {
  const res = await dispatcher.request({origin, path, method: 'GET'})
  return res.body.text()
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (err) {
    return String((err as {code?: string}).code)
  }
  expect.fail('expected the request to fail')
}

describe('http/dispatcher: the profile CA first, NODE_EXTRA_CA_CERTS when a chain needs it (real TLS)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ppctl-trust-'))
  // Three CAs of three names (of one name, OpenSSL would check a certificate against the first it finds).
  const profile = createTestPki(['platform.test.localhost'], 'ppctl test profile CA')
  const company = createTestPki(['company.test.localhost'], 'ppctl test company CA')
  const stranger = createTestPki(['stranger.test.localhost'], 'ppctl test stranger CA')
  const companyFile = join(dir, 'company-ca.pem')
  let servers: Record<'platform' | 'company' | 'stranger', CountingServer>
  const dispatchers: Dispatcher[] = []
  const dispatcher = (env: NodeJS.ProcessEnv) => {
    const {dispatcher: d} = createDispatcher({env, ca: profile.ca})
    dispatchers.push(d)
    return d
  }

  before(async () => {
    writeFileSync(companyFile, company.ca)
    servers = {
      platform: await countingServer('platform.test.localhost', profile),
      company: await countingServer('company.test.localhost', company),
      stranger: await countingServer('stranger.test.localhost', stranger),
    }
  })
  beforeEach(() => {
    for (const s of Object.values(servers)) s.connections = 0
  })
  afterEach(async () => {
    await Promise.all(dispatchers.splice(0).map((d) => d.close()))
  })
  after(async () => {
    await Promise.all(Object.values(servers).map((s) => s.close()))
    rmSync(dir, {recursive: true, force: true})
  })

  it("the profile's server: one handshake; the company's: one more, for each of three at once", async () => {
    const d = dispatcher({NODE_EXTRA_CA_CERTS: companyFile})
    expect(await get(d, servers.platform.origin, '/p')).to.equal('/p')
    expect(servers.platform.connections).to.equal(1)
    const answers = await Promise.all(['/a', '/b', '/c'].map((path) => get(d, servers.company.origin, path)))
    expect(answers).to.deep.equal(['/a', '/b', '/c'])
    // Each connection begun before the trust was widened is made again once: at most two per request.
    expect(servers.company.connections).to.be.within(2, 6)
    // Widened for good: a new connection verifies at once.
    servers.company.connections = 0
    const other = await get(d, servers.company.origin.replace('https://company', 'https://COMPANY'), '/d')
    expect(other).to.equal('/d')
    expect(servers.company.connections).to.equal(1)
  })

  it('a server nobody vouches for: refused, after the one more handshake', async () => {
    const d = dispatcher({NODE_EXTRA_CA_CERTS: companyFile})
    expect(await failure(get(d, servers.stranger.origin, '/'))).to.match(/^(UNABLE_TO_|SELF_SIGNED|CERT_)/)
    expect(servers.stranger.connections).to.equal(2)
  })

  it('without NODE_EXTRA_CA_CERTS nothing is left out: the company server is refused at the first handshake', async () => {
    const d = dispatcher({})
    expect(await failure(get(d, servers.company.origin, '/'))).to.match(/^(UNABLE_TO_|SELF_SIGNED|CERT_)/)
    expect(servers.company.connections).to.equal(1)
    expect(await get(d, servers.platform.origin, '/p')).to.equal('/p')
  })
})
