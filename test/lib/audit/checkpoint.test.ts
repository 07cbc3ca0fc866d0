// The checkpoint file: round trip, and corrupt (NUL-filled, truncated, empty) or foreign files refused with the reason.
import {expect} from 'chai'
import {mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {CHECKPOINT_FORMAT, readCheckpoint, writeCheckpoint} from '../../../src/lib/audit/checkpoint.js'
import {splitCommand} from '../../../src/lib/audit/exec-alert.js'
import {parseTimeBound} from '../../../src/lib/audit/duration.js'

const expectTenant = {tenantId: 't1', clusters: ['eastus-1', 'westus-1']}

describe('audit checkpoint', () => {
  let dir: string
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ppctl-cp-'))))
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  const refused = async (text: string | Buffer, reason: RegExp) => {
    const file = join(dir, 'state.json')
    writeFileSync(file, text)
    const err = await readCheckpoint(file, expectTenant).then(
      () => undefined,
      (e: unknown) => e as {code: string; exitCode: number; message: string},
    )
    expect(err?.code).to.equal('CHECKPOINT_INVALID')
    expect(err?.exitCode).to.equal(1)
    expect(err?.message).to.match(reason)
  }

  it('round-trips atomically and leaves no temp file', async () => {
    const file = join(dir, 'state.json')
    expect(await readCheckpoint(file, expectTenant)).to.equal(undefined)
    await writeCheckpoint(file, {tenantId: 't1', cluster: 'westus-1', lastSeq: 42, lastTime: '2026-01-01T00:00:00Z'}, 0)
    expect(await readCheckpoint(file, expectTenant)).to.include({format: CHECKPOINT_FORMAT, lastSeq: 42, cluster: 'westus-1'})
    expect(readdirSync(dir)).to.deep.equal(['state.json'])
  })

  it('refuses NUL-filled, truncated and empty files', async () => {
    await refused(Buffer.alloc(128), /NUL bytes/)
    await refused(`{"format":"${CHECKPOINT_FORMAT}","tenantId":"t1","clus`, /not complete JSON/)
    await refused('', /empty/)
  })

  it('refuses foreign files: another format, another tenant, a cluster the tenant does not use', async () => {
    await refused('{"lastSeq": 5}', /not a ppctl audit checkpoint/)
    await refused(JSON.stringify({format: CHECKPOINT_FORMAT, tenantId: 't2', cluster: 'eastus-1', lastSeq: 5, lastTime: ''}), /another tenant/)
    await refused(
      JSON.stringify({format: CHECKPOINT_FORMAT, tenantId: 't1', cluster: 'northeurope-1', lastSeq: 5, lastTime: ''}),
      /not one of the tenant's clusters/,
    )
  })
})

describe('audit flags helpers', () => {
  it('splits --exec without a shell', () => {
    expect(splitCommand(`./page.sh --team "on call" 'a b' c\\ d`)).to.deep.equal(['./page.sh', '--team', 'on call', 'a b', 'c d'])
    expect(() => splitCommand('x "open')).to.throw(/unclosed/)
  })

  it('reads durations back from now and ISO date-times', () => {
    const now = Date.parse('2026-01-01T12:00:00Z')
    expect(parseTimeBound('since', '1h', now)).to.equal('2026-01-01T11:00:00.000Z')
    expect(parseTimeBound('since', '2026-01-01T10:00:00+01:00', now)).to.equal('2026-01-01T09:00:00.000Z')
    expect(() => parseTimeBound('since', 'yesterday', now)).to.throw(/neither a duration/)
  })
})
