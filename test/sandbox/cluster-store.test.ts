// The cluster audit store and replication in-process: seq, filters, retention, listeners, drain and forced failover.
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {setImmediate as nextTurn} from 'node:timers/promises'

import {LICENSES_OF_USER_SQL} from '../../src/sandbox/clusters/api/licenses.js'
import {HttpProblem} from '../../src/sandbox/clusters/api/problem.js'
import {ClusterDb} from '../../src/sandbox/clusters/cluster-db.js'
import {ClusterSet, ReplicationBrokenError} from '../../src/sandbox/clusters/cluster-set.js'
import {Directory} from '../../src/sandbox/directory.js'
import {RouteTable} from '../../src/sandbox/global/route-table.js'

const T = '2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1'
const F = '7b2d9e44-6f3a-4c1b-8e2d-9a0f1b00fab2'
const sys = (action: string) => ({tenantId: T, action, result: 'succeeded' as const, actor: {type: 'system' as const}})
const CONNECTOR_INSERT =
  'INSERT INTO connectors (tenant_id, id, display_name, publisher, tier, blocked, unblockable, description, created_by, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, 0, 0, ?, NULL, ?, ?, 1)'
const addConnector = (db: ClusterDb, tenantId: string, id: string) =>
  db.tenants.write(tenantId, (tx) => {
    tx.run(CONNECTOR_INSERT, tenantId, id, id, 'test', 'custom', '', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z')
    tx.audit({...sys('connector.created'), tenantId, target: {type: 'connector', id}})
  })
const hasConnector = (db: ClusterDb, tenantId: string, id: string) =>
  db.db.prepare('SELECT 1 FROM connectors WHERE tenant_id = ? AND id = ?').get(tenantId, id) !== undefined

describe('cluster audit store', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ppctl-store-'))
  })
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  it('assigns gap-free seqs in bulk, filters by glob, actor, result and time, and keeps them across reopen', () => {
    let db = new ClusterDb('eastus-1', join(dir, 'a.db'))
    const {firstSeq, lastSeq} = db.audit.appendMany(T, [
      {action: 'signin', result: 'failed', actor: {type: 'user', upn: 'a@x'}, time: '2024-01-01T00:00:00.000Z'},
      {action: 'signin', actor: {type: 'user', upn: 'b@x'}, time: '2024-01-02T00:00:00.000Z'},
      {action: 'token.issued', actor: {type: 'servicePrincipal', id: 'sp1', appId: 'sp1'}, time: '2024-01-03T00:00:00.000Z'},
    ])
    expect([firstSeq, lastSeq]).to.deep.equal([1, 3])
    expect(db.audit.record({tenantId: T, action: 'connector.blocked', result: 'succeeded', actor: {type: 'system'}}).seq).to.equal(4)
    expect(db.audit.list({tenantId: T, action: 'signin*', limit: 10}).map((e) => e.seq)).to.deep.equal([1, 2])
    expect(db.audit.list({tenantId: T, actor: 'sp1', limit: 10}).map((e) => e.seq)).to.deep.equal([3])
    expect(db.audit.list({tenantId: T, result: 'failed', limit: 10}).map((e) => e.seq)).to.deep.equal([1])
    expect(db.audit.list({tenantId: T, since: '2024-01-02T00:00:00Z', until: '2024-01-03T00:00:00Z', limit: 10}).map((e) => e.seq)).to.deep.equal([2])
    expect(db.audit.list({tenantId: T, after: 2, limit: 1}).map((e) => e.seq)).to.deep.equal([3])
    db.close()
    db = new ClusterDb('eastus-1', join(dir, 'a.db'))
    expect(db.audit.lastSeq(T)).to.equal(4)
    expect(db.audit.record({tenantId: T, action: 'x', result: 'succeeded', actor: {type: 'system'}}).seq).to.equal(5)
    expect(Object.keys(db.audit.list({tenantId: T, limit: 1})[0])).to.include.members(['id', 'seq', 'time', 'tenantId', 'cluster', 'action', 'result', 'actor'])
    db.close()
  })

  it('gives every event its own seq when several processes append to the same store at once', async () => {
    // A test seeding events beside a running platform does this: each append takes the write lock before it reads
    // the last seq (BEGIN IMMEDIATE), so no two processes are handed the same seq.
    const file = join(dir, 'shared.db')
    new ClusterDb('eastus-1', file).close()
    const fixture = fileURLToPath(new URL('fixtures/append-events.ts', import.meta.url))
    const run = (tag: string) =>
      new Promise<{code: number | null; stderr: string}>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', fixture, file, tag, '40'], {stdio: ['ignore', 'ignore', 'pipe']})
        let stderr = ''
        child.stderr.on('data', (d: Buffer) => (stderr += d))
        child.on('close', (code) => resolve({code, stderr}))
      })
    const results = await Promise.all(['a', 'b', 'c'].map(run))
    for (const r of results) expect(r.code, r.stderr).to.equal(0)
    const db = new ClusterDb('eastus-1', file)
    try {
      const events = db.audit.list({tenantId: T, limit: 10_000})
      expect(events.map((e) => e.seq)).to.deep.equal(Array.from({length: 3 * 40 * 11}, (_, i) => i + 1))
      expect(new Set(events.map((e) => e.correlationId)).size).to.equal(3 * 40 * 11)
      expect(db.audit.lastSeq(T)).to.equal(3 * 40 * 11)
    } finally {
      db.close()
    }
  })

  it('drops old events by count without ever reusing a seq, and notifies listeners after commit', () => {
    const db = new ClusterDb('eastus-1', join(dir, 'b.db'), {maxEvents: 5})
    const seen: number[] = []
    const off = db.audit.onAppend(T, (e) => seen.push(e.seq))
    db.audit.appendMany(
      T,
      Array.from({length: 12}, () => ({action: 'bulk'})),
    )
    expect(db.audit.oldestRetainedSeq(T)).to.equal(8)
    expect(db.audit.lastSeq(T)).to.equal(12)
    off()
    db.audit.record({tenantId: T, action: 'after', result: 'succeeded', actor: {type: 'system'}})
    expect(seen).to.deep.equal(Array.from({length: 12}, (_, i) => i + 1))
    expect(db.audit.lastSeq(T)).to.equal(13)
    db.close()
  })

  it('commits a tenant write, its audit event and its replication entry together, or none of them', () => {
    const db = new ClusterDb('eastus-1', join(dir, 'c.db'))
    try {
      const heard: string[] = []
      db.audit.onAppend(T, (e) => heard.push(e.action))
      expect(() =>
        db.tenants.write(T, (tx) => {
          tx.run(CONNECTOR_INSERT, T, 'half', 'half', 'test', 'custom', '', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z')
          tx.audit({...sys('connector.created'), target: {type: 'connector', id: 'half'}})
          throw new Error('the handler fails after both')
        }),
      ).to.throw('the handler fails after both')
      expect(hasConnector(db, T, 'half')).to.equal(false)
      expect(db.audit.lastSeq(T)).to.equal(0)
      expect(db.replication.pendingEntries(T, 0, 10)).to.deep.equal([])
      expect(heard).to.deep.equal([])

      addConnector(db, T, 'whole')
      const [entry] = db.replication.pendingEntries(T, 0, 10)
      expect(entry.ops.map(([sql]) => sql.split(' (')[0])).to.deep.equal(['INSERT INTO connectors', 'INSERT INTO audit', 'INSERT INTO audit_seq'])
      expect(db.replication.pendingEntries(T, 0, 10)).to.have.length(1)
      expect(heard).to.deep.equal(['connector.created'])
    } finally {
      db.close()
    }
  })

  it('replicates to the secondary (its listeners fire on apply), drains on planned failover and counts lost writes on a forced one', () => {
    const routes = new RouteTable(dir)
    const set = new ClusterSet({dataDir: dir, routes, directory: Directory.open(dir)})
    try {
      set.drain(T)
      const secondary = set.cluster('westus-1')
      const applied: number[] = []
      secondary.audit.onAppend(T, (e) => applied.push(e.seq))
      set.setPaused(T, true)
      set.active(T).audit.appendMany(T, [{action: 'a'}, {action: 'b'}])
      expect(set.replicationStatus(T).lagEntries).to.equal(1)
      const planned = set.failover(T, false)
      expect(planned).to.include({from: 'eastus-1', to: 'westus-1', lostWrites: 0, drainedWrites: 1, epoch: 2})
      expect(applied).to.deep.equal([2, 3, planned.auditSeq])
      expect(secondary.audit.lastSeq(T)).to.equal(planned.auditSeq)
      set.setPaused(T, true)
      set.active(T).audit.record({tenantId: T, action: 'c', result: 'succeeded', actor: {type: 'system'}})
      const forced = set.failover(T, true)
      // Lost: the planned failover's own event (not shipped yet) and "c"; their seqs are taken again on the new active.
      expect(forced).to.include({from: 'westus-1', to: 'eastus-1', lostWrites: 2, epoch: 3, auditSeq: planned.auditSeq})
      expect(set.active(T).audit.lastSeq(T)).to.equal(forced.auditSeq)
      expect(set.cluster('westus-1').audit.lastSeq(T)).to.equal(forced.auditSeq - 1)
      set.drain(T)
      expect(set.cluster('westus-1').audit.lastSeq(T)).to.equal(forced.auditSeq)
    } finally {
      set.close()
    }
  })

  it("refuses, inside the transaction, a write on a cluster that stopped being the tenant's active one while the request was in flight", () => {
    const routes = new RouteTable(dir)
    const set = new ClusterSet({dataDir: dir, routes, directory: Directory.open(dir)})
    set.clusterUri = (id) => `https://${id}.clusters.sandbox.localhost:1`
    try {
      // What a route holds while the body is still arriving: the cluster it was routed to.
      const routed = set.active(T)
      const seqBefore = routed.audit.lastSeq(T)
      const failover = set.failover(T, false)
      const refused = (fn: () => unknown) => {
        try {
          fn()
        } catch (err) {
          return err
        }
        return undefined
      }
      for (const attempt of [
        () => addConnector(routed, T, 'late'),
        () => routed.audit.record(sys('signin')),
        () => routed.audit.appendMany(T, [{action: 'bulk'}]),
      ]) {
        const err = refused(attempt)
        expect(err).to.be.instanceOf(HttpProblem)
        expect((err as HttpProblem).problem).to.include({
          status: 421,
          code: 'WRONG_CLUSTER',
          activeUri: 'https://westus-1.clusters.sandbox.localhost:1',
          activeClusterId: 'westus-1',
          epoch: failover.epoch,
        })
        expect((err as HttpProblem).headers).to.deep.equal({'x-active-cluster-uri': 'https://westus-1.clusters.sandbox.localhost:1'})
      }
      expect(hasConnector(routed, T, 'late')).to.equal(false)
      expect(routed.audit.lastSeq(T)).to.equal(seqBefore)
      // Identity events (sign-ins, tokens) follow the route: they land on the new active cluster and replicate.
      expect(set.record(sys('signin')).cluster).to.equal('westus-1')
      addConnector(set.active(T), T, 'after')
      set.drain(T)
      expect(hasConnector(routed, T, 'after')).to.equal(true)
      expect(routed.audit.lastSeq(T)).to.equal(set.active(T).audit.lastSeq(T))
      expect(set.replicationStatus(T)).to.not.have.property('broken')
    } finally {
      set.close()
    }
  })

  it('marks a tenant whose entry cannot be applied as broken, keeps the others replicating, survives a reopen, and resync repairs it', async () => {
    const routes = new RouteTable(dir)
    let set = new ClusterSet({dataDir: dir, routes, directory: Directory.open(dir)})
    const logs: string[] = []
    try {
      set.drain(T)
      set.drain(F)
      // A stray row on the passive secondary at the seq the active will hand out next.
      const secondary = set.cluster('westus-1')
      const next = set.active(T).audit.lastSeq(T) + 1
      secondary.db
        .prepare(
          "INSERT INTO audit (tenant_id, seq, id, time, action, result, json) VALUES (?, ?, 'stray', '2024-01-01T00:00:00.000Z', 'stray', 'succeeded', '{}')",
        )
        .run(T, next)
      addConnector(set.active(T), T, 'poisoned')
      expect(() => set.ship()).to.not.throw()
      // The commit also scheduled a ship on the next turn (a timer): it must not throw either.
      await nextTurn()
      const status = set.replicationStatus(T)
      expect(status.broken).to.include({repair: 'ppctl sandbox resync --tenant contoso'})
      expect(status.broken?.error).to.match(/UNIQUE constraint failed/)
      expect(status.lagEntries).to.be.greaterThan(0)
      const brokenEvent = set
        .active(T)
        .audit.allEvents(T)
        .find((e) => e.action === 'replication.broken')
      expect(brokenEvent?.details).to.include({from: 'eastus-1', to: 'westus-1', lsn: status.broken?.lsn})
      // Other tenants keep replicating.
      addConnector(set.active(F), F, 'unaffected')
      set.ship()
      expect(set.replicationStatus(F)).to.include({lagEntries: 0}).and.not.have.property('broken')
      expect(hasConnector(set.cluster('northeurope-1'), F, 'unaffected')).to.equal(true)
      // A planned failover cannot drain it, and says so instead of throwing an SQLite error.
      expect(() => set.failover(T, false)).to.throw(ReplicationBrokenError)
      expect(routes.get(T)?.home).to.equal('eastus-1')

      // A restart on the same data dir comes up, still knows, and does not retry (no second audit event).
      set.close()
      set = new ClusterSet({dataDir: dir, routes, directory: Directory.open(dir), log: (l) => logs.push(l)})
      set.ship()
      await nextTurn()
      expect(set.replicationStatus(T).broken?.lsn).to.equal(status.broken?.lsn)
      expect(
        set
          .active(T)
          .audit.allEvents(T)
          .filter((e) => e.action === 'replication.broken'),
      ).to.have.length(1)

      const repaired = set.resync(T)
      expect(repaired).to.include({lagEntries: 0}).and.not.have.property('broken')
      expect(hasConnector(set.cluster('westus-1'), T, 'poisoned')).to.equal(true)
      addConnector(set.active(T), T, 'after-resync')
      set.ship()
      expect(set.replicationStatus(T)).to.include({lagEntries: 0}).and.not.have.property('broken')
      expect(set.cluster('westus-1').audit.allEvents(T)).to.deep.equal(set.active(T).audit.allEvents(T))
      expect(set.failover(T, false)).to.include({from: 'eastus-1', to: 'westus-1', lostWrites: 0})
    } finally {
      set.close()
    }
  })
})

describe('tenant store indexes', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ppctl-store-'))
  })
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  // A query by user on a table whose key starts elsewhere scans the tenant's rows: a bulk dry run (500 users a
  // request) over 60,000 assignments took ~20 s a request and timed out. Each must search an index on user_id.
  const byUser: Array<[string, string]> = [
    ["a user's licences (licensesOf)", LICENSES_OF_USER_SQL],
    ["a user's groups (the sign-in policy check)", 'SELECT group_id FROM group_members WHERE tenant_id = ? AND user_id = ?'],
  ]
  for (const [what, sql] of byUser) {
    it(`finds ${what} through an index on user_id`, () => {
      const db = new ClusterDb('eastus-1', join(dir, 'plan.db'))
      try {
        const plan = db.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(T, 'u-1') as Array<{detail: string}>
        const details = plan.map((p) => p.detail)
        expect(
          details.some((d) => /^SEARCH \w+ USING (COVERING )?INDEX \w+ \(tenant_id=\? AND user_id=\?\)/.test(d)),
          details.join('; '),
        ).to.equal(true)
      } finally {
        db.close()
      }
    })
  }
})
