// `ppctl env delete` in-process: the name typed back at a terminal, --yes --confirm NAME for scripts, never a prompt without a terminal.
import {expect} from 'chai'
import type {PassThrough} from 'node:stream'

import EnvDelete from '../../../src/commands/env/delete.js'
import {runCommand, type CommandResult} from '../../helpers/command.js'
import {environment} from '../../helpers/dlp-fixtures.js'
import {fakePlatform, problem, type FakePlatform} from '../../helpers/fake-platform.js'

const test = environment('test', {displayName: 'Test', etag: '"4"'})

/** Types `answer` once the question is on the terminal (waiting for the question, not for time). */
async function typing(p: FakePlatform, run: () => Promise<CommandResult>, answer: string): Promise<CommandResult> {
  let finished = false
  const result = run().finally(() => (finished = true))
  while (!finished && !p.stderr().includes('Delete environment')) await new Promise((resolve) => setImmediate(resolve))
  if (!finished) (p.ctx.io.stdin as PassThrough).write(`${answer}\r`)
  return result
}

describe('env delete (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  it('at a terminal, the name typed back deletes it against the ETag read', async () => {
    p = await fakePlatform({tty: true})
    p.cluster.get('/v1/environments/test').reply(200, test, {etag: '"4"'}).delete('/v1/environments/test').matchHeader('if-match', '"4"').reply(204)
    const res = await typing(p, () => runCommand(EnvDelete, ['test'], p), 'Test')
    expect(res.code, res.stderr).to.equal(0)
    expect(res.stdout).to.contain('Deleted environment Test (test).')
  })

  it('at a terminal, another name: exit 3, nothing deleted', async () => {
    p = await fakePlatform({tty: true})
    p.cluster.get('/v1/environments/test').reply(200, test)
    const res = await typing(p, () => runCommand(EnvDelete, ['test'], p), 'Tset')
    expect(res.code).to.equal(3)
    expect(res.stderr).to.contain('nothing was deleted')
  })

  it('without a terminal and without flags: exit 2 naming --yes --confirm NAME, never a prompt', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/environments/test').reply(200, test)
    const res = await runCommand(EnvDelete, ['test', '--json'], p)
    expect(res.code).to.equal(2)
    expect(res.json<{error: {code: string; message: string}}>().error).to.include({code: 'ANSWER_REQUIRED'})
    expect(res.stdout).to.contain('--yes --confirm NAME')
  })

  it('--yes --confirm with the wrong name: exit 2 CONFIRMATION_MISMATCH; --yes alone is a usage error', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/environments/test').reply(200, test)
    const res = await runCommand(EnvDelete, ['test', '--yes', '--confirm', 'Prod', '--json'], p)
    expect(res.code).to.equal(2)
    expect(res.json<{error: {code: string}}>().error.code).to.equal('CONFIRMATION_MISMATCH')
    const alone = await runCommand(EnvDelete, ['test', '--yes'], p)
    expect(alone.code).to.equal(2)
  })

  it('--yes --confirm NAME: deleted', async () => {
    p = await fakePlatform()
    p.cluster.get('/v1/environments/test').reply(200, test).delete('/v1/environments/test').reply(204)
    const ok = await runCommand(EnvDelete, ['test', '--yes', '--confirm', 'Test', '--json'], p)
    expect(ok.code, ok.stderr).to.equal(0)
    expect(ok.json()).to.deep.equal({id: 'test', displayName: 'Test', deleted: true})
  })

  it('the default environment is refused by the platform: exit 7 with its code', async () => {
    p = await fakePlatform()
    p.cluster
      .get('/v1/environments/default')
      .reply(200, environment('default'))
      .delete('/v1/environments/default')
      .reply(...problem(422, 'DEFAULT_ENVIRONMENT', 'The default environment cannot be deleted.'))
    const refused = await runCommand(EnvDelete, ['default', '--yes', '--confirm', 'default', '--json'], p)
    expect(refused.code).to.equal(7)
    expect(refused.json<{error: {code: string}}>().error.code).to.equal('DEFAULT_ENVIRONMENT')
  })
})
