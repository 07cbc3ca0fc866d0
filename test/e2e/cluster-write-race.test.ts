// A write whose body arrives after a failover, and a replication entry the secondary cannot apply, on a real platform (raw TLS, the real CLI).
import {expect} from 'chai'
import {connect, type TLSSocket} from 'node:tls'

import {runCli} from '../helpers/cli.js'
import {caughtUp, CONTOSO, FABRIKAM, startClusterPlatform, type ClusterPlatform, type Json} from '../helpers/cluster-platform.js'
import type {TestPlatform} from '../helpers/platform.js'

/** An HTTP/1.1 request over a raw TLS socket whose body is sent only when the test says so. */
class HeldRequest {
  private received = Buffer.alloc(0)
  private readonly waiters: Array<() => void> = []
  private ended = false

  private constructor(private readonly socket: TLSSocket) {
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk])
      this.wake()
    })
    socket.on('end', () => {
      this.ended = true
      this.wake()
    })
    socket.on('close', () => {
      this.ended = true
      this.wake()
    })
  }

  static async open(platform: TestPlatform, cluster: string): Promise<HeldRequest> {
    const socket = connect({host: '127.0.0.1', port: platform.port, servername: `${cluster}.clusters.sandbox.localhost`, ca: platform.caPem})
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve())
      socket.once('error', reject)
    })
    return new HeldRequest(socket)
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w()
  }

  private async until(done: () => boolean): Promise<void> {
    while (!done()) {
      if (this.ended) throw new Error(`the connection closed; received: ${this.received.toString('utf8')}`)
      await new Promise<void>((resolve) => this.waiters.push(resolve))
    }
  }

  /** Sends the request line and headers (Expect: 100-continue) and waits until the platform asks for the body. */
  async sendHead(method: string, path: string, headers: Record<string, string>, bodyLength: number): Promise<void> {
    const lines = [
      `${method} ${path} HTTP/1.1`,
      ...Object.entries({...headers, 'content-length': String(bodyLength), expect: '100-continue', connection: 'close'}).map(([k, v]) => `${k}: ${v}`),
    ]
    this.socket.write(`${lines.join('\r\n')}\r\n\r\n`)
    await this.until(() => this.received.includes('\r\n\r\n'))
    const interim = this.received.subarray(0, this.received.indexOf('\r\n\r\n') + 4).toString('latin1')
    if (!interim.startsWith('HTTP/1.1 100')) throw new Error(`expected 100 Continue, got ${interim}`)
    this.received = this.received.subarray(interim.length)
  }

  /** Sends the body and reads the final answer to its end (the platform closes: Connection: close). */
  async sendBody(body: string): Promise<{status: number; body: Json}> {
    this.socket.write(body)
    await this.until(() => this.ended)
    const text = this.received.toString('utf8')
    const split = text.indexOf('\r\n\r\n')
    return {status: Number(text.slice(9, 12)), body: JSON.parse(text.slice(split + 4)) as Json}
  }
}

describe('writes racing a failover, and a replication that breaks (real platform)', function () {
  // A platform, several sign-ins and dozens of CLI runs: minutes on a loaded machine (a limit, not a threshold).
  this.timeout(300_000)
  let c: ClusterPlatform

  beforeEach(async () => {
    c = await startClusterPlatform()
  })
  afterEach(async () => c?.stop())

  it('answers a write whose body arrives after the failover with 421 or commits it on the new active cluster, never a 2xx that is lost; then keeps serving and restarts', async () => {
    const admin = 'admin@contoso.example'
    const body = JSON.stringify({displayName: 'Held across failover'})
    const held = await HeldRequest.open(c.platform, 'eastus-1')
    await held.sendHead(
      'POST',
      '/v1/connectors',
      {host: c.host('eastus-1'), authorization: `Bearer ${c.tokens[admin]}`, 'content-type': 'application/json'},
      Buffer.byteLength(body),
    )
    // The held request was routed to eastus-1, the active cluster: a request sent after it is served there too.
    expect((await c.call(admin, 'eastus-1', 'GET', '/v1/connectors?limit=1')).status).to.equal(200)

    const failover = await runCli(['sandbox', 'failover', '--tenant', 'contoso', '--data-dir', c.platform.dataDir, '--json'], c.platform.cli.env)
    expect(failover.code, failover.stderr).to.equal(0)
    expect(JSON.parse(failover.stdout)).to.include({from: 'eastus-1', to: 'westus-1'})

    const answer = await held.sendBody(body)
    const onNewActive = await c.call(admin, 'westus-1', 'GET', '/v1/connectors?search=Held%20across&limit=50')
    expect(onNewActive.status).to.equal(200)
    if (answer.status === 201) {
      expect(
        onNewActive.body.items.map((c: Json) => c.id),
        'a 201 write must be on the new active cluster',
      ).to.include(answer.body.id)
    } else {
      expect(answer.status, JSON.stringify(answer.body)).to.equal(421)
      expect(answer.body).to.include({code: 'WRONG_CLUSTER', activeUri: `https://${c.host('westus-1')}`, activeClusterId: 'westus-1'})
      expect(onNewActive.body.items).to.deep.equal([])
    }
    // Nothing of it stayed behind on the old, now passive, cluster.
    const stray = await c.sqlite(
      'eastus-1',
      (db) => db.prepare("SELECT COUNT(*) AS n FROM connectors WHERE tenant_id = ? AND display_name = 'Held across failover'").get(CONTOSO) as {n: number},
    )
    expect(stray.n).to.equal(answer.status === 201 ? 1 : 0)

    // More writes on the new active cluster replicate back (the old code crashed here on an audit seq collision).
    for (let i = 0; i < 3; i++) expect((await c.call(admin, 'westus-1', 'POST', '/v1/connectors', {displayName: `After ${i}`})).status).to.equal(201)
    expect(await c.replicationOf(CONTOSO, caughtUp)).to.not.have.property('broken')
    const healthy = await c.status()
    expect(healthy.code, healthy.stderr).to.equal(0)

    await c.restart()
    expect((await c.call(admin, 'westus-1', 'POST', '/v1/connectors', {displayName: 'After restart'})).status).to.equal(201)
    expect(await c.replicationOf(CONTOSO, caughtUp)).to.not.have.property('broken')
    const after = await c.status()
    expect(after.code, after.stderr).to.equal(0)
    expect(after.body.healthy).to.equal(true)
    // The audit seq stayed gap-free on both clusters.
    for (const cluster of ['westus-1', 'eastus-1']) {
      const seqs = await c.sqlite(cluster, (db) =>
        (db.prepare('SELECT seq FROM audit WHERE tenant_id = ? ORDER BY seq').all(CONTOSO) as Array<{seq: number}>).map((r) => r.seq),
      )
      expect(seqs, cluster).to.deep.equal(seqs.map((_, i) => i + 1))
    }
  })

  it('marks a tenant whose entry cannot be applied as broken, says so and what to run, keeps the API and the other tenants replicating, restarts, and the advice repairs it', async () => {
    const contoso = 'admin@contoso.example'
    const fabrikam = 'admin@fabrikam.example'
    await c.replicationOf(CONTOSO, caughtUp)
    await c.restart(async () => {
      // A conflicting row on Contoso's passive secondary, at the audit seq its active cluster hands out next.
      const next =
        (await c.sqlite('eastus-1', (db) => db.prepare('SELECT last_seq FROM audit_seq WHERE tenant_id = ?').get(CONTOSO) as {last_seq: number})).last_seq + 1
      await c.sqlite(
        'westus-1',
        (db) =>
          db
            .prepare(
              "INSERT INTO audit (tenant_id, seq, id, time, action, result, json) VALUES (?, ?, 'stray', '2024-01-01T00:00:00.000Z', 'stray', 'succeeded', '{}')",
            )
            .run(CONTOSO, next),
        false,
      )
    })
    // Signing in again (restart() does) appends Contoso's next audit event on eastus-1; shipping it collides with the stray row.
    const broken = await c.replicationOf(CONTOSO, (r) => r.broken !== undefined)
    expect(broken.broken).to.include({repair: 'ppctl sandbox resync --tenant contoso'})
    expect(broken.broken.error).to.match(/UNIQUE constraint failed/)

    // The API keeps serving, and the other tenant keeps replicating.
    expect((await c.call(contoso, 'eastus-1', 'POST', '/v1/connectors', {displayName: 'While broken'})).status).to.equal(201)
    const fab = await c.call(fabrikam, 'westeurope-1', 'POST', '/v1/connectors', {displayName: 'Fabrikam keeps replicating'})
    expect(fab.status).to.equal(201)
    expect(await c.replicationOf(FABRIKAM, caughtUp)).to.not.have.property('broken')
    expect(
      await c.sqlite('northeurope-1', (db) => db.prepare('SELECT id FROM connectors WHERE tenant_id = ? AND id = ?').get(FABRIKAM, fab.body.id)),
    ).to.deep.equal({id: fab.body.id})

    // Said in sandbox status (exit 8, what to run), the cluster's health, the platform's health and the audit log.
    const human = await runCli(['sandbox', 'status', '--data-dir', c.platform.dataDir], c.platform.cli.env)
    expect(human.code).to.equal(8)
    // Into a pipe the status is TSV on stdout; what to run is a note on stderr.
    expect(human.stdout).to.include('BROKEN')
    expect(human.stderr).to.include('Next: ppctl sandbox resync --tenant contoso')
    const json = await c.status()
    expect(json.body.replication.find((r: Json) => r.tenant === 'contoso').broken).to.include({repair: 'ppctl sandbox resync --tenant contoso'})
    expect(json.body.components.find((x: Json) => x.name === 'replication contoso')).to.include({status: 'down'})
    const cluster = await c.call(contoso, 'eastus-1', 'GET', '/v1/health')
    expect(cluster.body.status).to.equal('degraded')
    expect(cluster.body.tenants[0]).to.include({tenantId: CONTOSO, replication: 'broken'})
    const platformHealth = (await (await c.client.fetch(`https://sandbox.localhost:${c.platform.port}/healthz`)).json()) as Json
    expect(platformHealth.status).to.equal('degraded')
    const events = await c.sqlite(
      'eastus-1',
      (db) => db.prepare("SELECT json FROM audit WHERE tenant_id = ? AND action = 'replication.broken'").all(CONTOSO) as Array<{json: string}>,
    )
    expect(events).to.have.length(1)
    expect(JSON.parse(events[0].json).details).to.include({from: 'eastus-1', to: 'westus-1', repair: 'ppctl sandbox resync --tenant contoso'})
    // A planned failover cannot drain it: a conflict with the same advice, not a crash.
    const planned = await runCli(['sandbox', 'failover', '--tenant', 'contoso', '--data-dir', c.platform.dataDir], c.platform.cli.env)
    expect(planned.code).to.equal(7)
    expect(planned.stderr).to.include('ppctl sandbox resync --tenant contoso')

    // A restart comes up and stays up; the platform still knows.
    await c.restart()
    expect((await c.call(fabrikam, 'westeurope-1', 'POST', '/v1/connectors', {displayName: 'After restart'})).status).to.equal(201)
    expect(await c.replicationOf(FABRIKAM, caughtUp)).to.not.have.property('broken')
    expect((await c.replicationOf(CONTOSO, () => true)).broken).to.include({lsn: broken.broken.lsn})

    // The advice repairs it: nothing acknowledged is lost, and shipping resumes.
    const resync = await runCli(['sandbox', 'resync', '--tenant', 'contoso', '--data-dir', c.platform.dataDir, '--json'], c.platform.cli.env)
    expect(resync.code, resync.stderr).to.equal(0)
    expect(JSON.parse(resync.stdout)).to.include({lagEntries: 0}).and.not.have.property('broken')
    expect((await c.call(contoso, 'eastus-1', 'POST', '/v1/connectors', {displayName: 'After resync'})).status).to.equal(201)
    expect(await c.replicationOf(CONTOSO, caughtUp)).to.not.have.property('broken')
    const repaired = await c.status()
    expect(repaired.code, repaired.stderr).to.equal(0)
    const [active, passive] = await Promise.all(
      ['eastus-1', 'westus-1'].map((cluster) =>
        c.sqlite(cluster, (db) => db.prepare('SELECT seq, id FROM audit WHERE tenant_id = ? ORDER BY seq').all(CONTOSO)),
      ),
    )
    expect(passive).to.deep.equal(active)
    const names = await c.sqlite('westus-1', (db) =>
      (db.prepare('SELECT display_name FROM connectors WHERE tenant_id = ?').all(CONTOSO) as Array<{display_name: string}>).map((r) => r.display_name),
    )
    expect(names).to.include.members(['While broken', 'After resync'])
  })
})
