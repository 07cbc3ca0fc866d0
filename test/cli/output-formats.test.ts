// -o table|tsv|csv|json|yaml, --query, --no-headers, PPCTL_OUTPUT and the config's output, in-process on connector list and others.
import {expect} from 'chai'
import {parse as parseYaml} from 'yaml'

import ConnectorList from '../../src/commands/connector/list.js'
import ConnectorShow from '../../src/commands/connector/show.js'
import ConfigSet from '../../src/commands/config/set.js'
import LicenseList from '../../src/commands/license/list.js'
import {runCommand} from '../helpers/command.js'
import {connector} from '../helpers/connector-fixtures.js'
import {fakePlatform, type FakePlatform} from '../helpers/fake-platform.js'
import {tsvRecords} from '../helpers/tsv.js'

const LONG_ID = 'shared_' + 'azureeventgrid'.repeat(5)

describe('output formats (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  const connectors = (t: FakePlatform, items = [connector('shared_azureeventgrid'), connector('shared_sql', {blocked: true, tier: 'standard'})]) =>
    t.cluster.get('/v1/connectors').query(true).reply(200, {items, nextCursor: null})

  it('into a pipe: TSV with a header line, one line per record, no border, no count on stdout; ids whole', async () => {
    p = await fakePlatform({columns: 40})
    connectors(p)
    const res = await runCommand(ConnectorList, [], p)
    expect(res.code, res.stderr).to.equal(0)
    const lines = res.stdout.split('\n')
    expect(lines[0]).to.equal('Id\tName\tPublisher\tTier\tState')
    expect(lines.filter((l) => l.includes('shared_azureeventgrid'))).to.have.length(1)
    expect(lines.slice(1, -1).map((l) => l.split('\t')[0])).to.deep.equal(['shared_azureeventgrid', 'shared_sql'])
    expect(res.stdout).not.to.match(/[│─┌…]/)
    expect(res.stderr).to.equal('2 connectors\n')
  })

  it('--no-headers drops the header line', async () => {
    p = await fakePlatform()
    connectors(p)
    const res = await runCommand(ConnectorList, ['--no-headers'], p)
    expect(res.stdout.split('\n')[0]).to.match(/^shared_azureeventgrid\t/)
  })

  it('a value with a tab, a newline, a backslash or an escape sequence stays on its line, escaped', async () => {
    p = await fakePlatform()
    connectors(p, [connector('shared_x', {displayName: 'a\tb\nc\\d\u001b[31m'})])
    const res = await runCommand(ConnectorList, [], p)
    const [record] = tsvRecords(res.stdout)
    expect(record).to.include({Id: 'shared_x', Name: 'a\\tb\\nc\\\\d'})
    expect(res.stdout).not.to.contain('\u001b')
  })

  it('at a terminal narrower than an id: the id is neither wrapped nor cut, and no line is wider than the terminal but the id line', async () => {
    p = await fakePlatform({tty: true, columns: 60})
    connectors(p, [connector(LONG_ID), connector('shared_sql')])
    const res = await runCommand(ConnectorList, [], p)
    expect(res.code, res.stderr).to.equal(0)
    const lines = res.stdout.trimEnd().split('\n')
    expect(lines).to.include(`Id:         ${LONG_ID}`)
    for (const line of lines.filter((l) => !l.includes(LONG_ID))) expect([...line].length, line).to.be.at.most(60)
  })

  it('at a terminal: the name is shortened with "…" before an id is touched', async () => {
    p = await fakePlatform({tty: true, columns: 70})
    connectors(p, [connector('shared_azureeventgrid', {displayName: 'Azure Event Grid, the event routing service of the cloud'})])
    const res = await runCommand(ConnectorList, [], p)
    const lines = res.stdout.trimEnd().split('\n')
    for (const line of lines) expect([...line].length, line).to.be.at.most(70)
    expect(res.stdout).to.contain('│ shared_azureeventgrid │').and.contain('…')
  })

  it('-o csv: RFC 4180 (quoted fields, CRLF), the same columns as TSV', async () => {
    p = await fakePlatform()
    connectors(p, [connector('shared_x', {displayName: 'Name, "quoted"\nsecond line'})])
    const res = await runCommand(ConnectorList, ['-o', 'csv'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.equal('Id,Name,Publisher,Tier,State\r\nshared_x,"Name, ""quoted""\nsecond line",Contoso,premium,allowed\r\n')
  })

  it('-o json is exactly --json; -o yaml is the same document in YAML', async () => {
    p = await fakePlatform()
    connectors(p)
    const json = await runCommand(ConnectorList, ['--json'], p)
    p.done()
    p = await fakePlatform()
    connectors(p)
    const o = await runCommand(ConnectorList, ['-o', 'json'], p)
    expect(o.stdout).to.equal(json.stdout)
    p.done()
    p = await fakePlatform()
    connectors(p)
    const yaml = await runCommand(ConnectorList, ['--output', 'yaml'], p)
    expect(yaml.code, yaml.stderr).to.equal(0)
    expect(parseYaml(yaml.stdout)).to.deep.equal(JSON.parse(json.stdout))
    expect(yaml.stderr).to.equal('')
  })

  it('--query: one id a line in TSV; the query result in JSON; an object becomes one record', async () => {
    p = await fakePlatform()
    connectors(p, [connector('shared_a', {tier: 'premium'}), connector('shared_b', {tier: 'standard'}), connector('shared_c', {tier: 'premium'})])
    const res = await runCommand(ConnectorList, ['--query', "items[?tier=='premium'].id", '-o', 'tsv'], p)
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.equal('shared_a\nshared_c\n')
    expect(res.stderr).to.equal('')
    p.done()
    p = await fakePlatform()
    connectors(p, [connector('shared_a', {tier: 'premium'})])
    const json = await runCommand(ConnectorList, ['--query', '{n: count, first: items[0].id}', '--json'], p)
    expect(json.json()).to.deep.equal({n: 1, first: 'shared_a'})
    p.done()
    p = await fakePlatform()
    connectors(p, [connector('shared_a', {tier: 'premium'})])
    const record = await runCommand(ConnectorList, ['--query', 'items[].{id: id, tier: tier}'], p)
    expect(tsvRecords(record.stdout)).to.deep.equal([{id: 'shared_a', tier: 'premium'}])
  })

  it('an invalid --query: exit 2 before any request, naming the position', async () => {
    p = await fakePlatform()
    const res = await runCommand(ConnectorList, ['--query', 'items[?tier==]'], p)
    expect(res.code).to.equal(2)
    expect(res.stdout).to.equal('')
    expect(res.stderr).to.match(/^Error: Invalid --query at position 14: /)
    expect(res.stderr).to.match(/Next: JMESPath/)
  })

  it('--json with -o table: a usage error (exit 2) before any request; --json with -o json is fine', async () => {
    p = await fakePlatform()
    const res = await runCommand(ConnectorList, ['--json', '-o', 'table'], p)
    expect(res.code).to.equal(2)
    expect(res.json<{error: {code: string; message: string}}>().error).to.include({code: 'OUTPUT_CONFLICT'})
    p.done()
    p = await fakePlatform()
    connectors(p)
    const ok = await runCommand(ConnectorList, ['--json', '-o', 'json'], p)
    expect(ok.code, ok.stderr).to.equal(0)
    expect(ok.json()).to.have.property('count', 2)
  })

  it('errors under -o json and -o yaml are the {error} document on stdout', async () => {
    p = await fakePlatform()
    p.cluster
      .get('/v1/connectors/nosuch')
      .reply(404, {code: 'CONNECTOR_NOT_FOUND', title: 'Not found', status: 404}, {'content-type': 'application/problem+json'})
    const res = await runCommand(ConnectorShow, ['nosuch', '-o', 'yaml'], p)
    expect(res.code).to.equal(6)
    expect(parseYaml(res.stdout)).to.have.nested.property('error.code', 'CONNECTOR_NOT_FOUND')
  })

  it('precedence: -o beats PPCTL_OUTPUT, which beats the config; the config beats the terminal default', async () => {
    p = await fakePlatform({tty: true})
    const set = await runCommand(ConfigSet, ['output', 'csv'], p)
    expect(set.code, set.stderr).to.equal(0)
    connectors(p)
    const fromConfig = await runCommand(ConnectorList, [], p)
    expect(fromConfig.stdout.slice(set.stdout.length).split('\r\n')[0]).to.equal('Id,Name,Publisher,Tier,State')
    p.done()

    p = await fakePlatform({tty: true, env: {PPCTL_OUTPUT: 'yaml'}})
    await p.ctx.config().update((c) => void (c.output = 'csv'))
    connectors(p)
    const fromEnv = await runCommand(ConnectorList, [], p)
    expect(parseYaml(fromEnv.stdout)).to.have.property('count', 2)
    p.done()

    p = await fakePlatform({tty: true, env: {PPCTL_OUTPUT: 'yaml'}})
    connectors(p)
    const fromFlag = await runCommand(ConnectorList, ['-o', 'tsv'], p)
    expect(fromFlag.stdout.split('\n')[0]).to.equal('Id\tName\tPublisher\tTier\tState')
  })

  it('config set output validates the value; PPCTL_OUTPUT with a bad value is a usage error naming it', async () => {
    p = await fakePlatform()
    const bad = await runCommand(ConfigSet, ['output', 'xml'], p)
    expect(bad.code).to.equal(2)
    expect(bad.stderr).to.contain('Invalid value for output')
    p.done()
    p = await fakePlatform({env: {PPCTL_OUTPUT: 'xml'}})
    const env = await runCommand(LicenseList, [], p)
    expect(env.code).to.equal(2)
    expect(env.stderr).to.contain('PPCTL_OUTPUT="xml"')
  })
})
