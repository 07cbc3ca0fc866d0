// The cross-process profile lock: serial under contention, recovered from a killed or silent holder.
import {expect} from 'chai'
import {spawn, type ChildProcess} from 'node:child_process'
import {readFileSync, readdirSync, statSync, utimesSync, writeFileSync, mkdirSync} from 'node:fs'
import {join} from 'node:path'

import {ROOT} from '../../helpers/cli.js'
import {makeScratchHome, type ScratchHome} from '../../helpers/keyring.js'
import {lockFileFor, withProfileLock} from '../../../src/lib/credentials/index.js'
import {testContext} from './context.js'

const HOLDER = join(ROOT, 'test', 'lib', 'credentials', 'fixtures', 'lock-holder.ts')

function startHolder(mode: 'count' | 'hold', dir: string, env: NodeJS.ProcessEnv): ChildProcess & {output: Promise<string>; outSoFar(): string} {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, mode, dir], {cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe']})
  let out = ''
  let err = ''
  child.stdout.on('data', (c: Buffer) => (out += c.toString()))
  child.stderr.on('data', (c: Buffer) => (err += c.toString()))
  const output = new Promise<string>((resolve, reject) =>
    child.on('exit', (code, signal) => (code === 0 || signal ? resolve(out) : reject(new Error(`holder exited ${code}: ${err}`)))),
  )
  return Object.assign(child, {output, outSoFar: () => out})
}
type Holder = ReturnType<typeof startHolder>

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10))
}

describe('profile lock', () => {
  let scratch: ScratchHome
  beforeEach(() => (scratch = makeScratchHome()))
  afterEach(() => scratch.cleanup())

  it('16 processes contending all get the lock in turn, without overlap and without spinning', async () => {
    writeFileSync(join(scratch.home, 'counter'), '0')
    const holders = Array.from({length: 16}, () => startHolder('count', scratch.home, scratch.env))
    const outputs = await Promise.all(holders.map((h) => h.output))
    expect(readFileSync(join(scratch.home, 'counter'), 'utf8')).to.equal('16')
    const sections = readFileSync(join(scratch.home, 'sections'), 'utf8').trim().split('\n').map((l) => l.split(' ').map(Number)).sort((a, b) => a[0] - b[0])
    expect(sections).to.have.length(16)
    for (let i = 1; i < sections.length; i++) expect(sections[i][0], `section ${i} starts before ${i - 1} ends`).to.be.at.least(sections[i - 1][1])
    // Backoff: a waiter polls a bounded number of times (a spinning loop would make thousands of attempts).
    for (const out of outputs) expect(Number(/WAITS (\d+)/.exec(out)?.[1])).to.be.below(200)
    const locks = join(scratch.home, 'config', 'locks')
    expect(statSync(locks).mode & 0o777).to.equal(0o700)
    expect(readdirSync(locks)).to.deep.equal([])
  })

  it('recovers a lock whose holder was SIGKILLed', async () => {
    const holder: Holder = startHolder('hold', scratch.home, scratch.env)
    await waitFor(() => holder.outSoFar().includes('LOCKED'))
    const file = lockFileFor(join(scratch.home, 'config'), 'shared')
    const record = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
    expect(Object.keys(record).sort()).to.deep.equal(['host', 'pid', 'token'])
    expect(statSync(file).mode & 0o777).to.equal(0o600)
    holder.kill('SIGKILL')
    await holder.output
    const {ctx} = testContext(scratch.env)
    // The lock file stays behind; a fresh heartbeat-free mtime would take 10 s to go stale, the dead pid does not.
    const result = await withProfileLock(ctx, 'shared', async () => 'got it', {waitTimeoutMs: 5000})
    expect(result).to.equal('got it')
  })

  it('recovers a lock from another host once its heartbeat stops (injected stale threshold)', async () => {
    const file = lockFileFor(join(scratch.home, 'config'), 'shared')
    mkdirSync(join(scratch.home, 'config', 'locks'), {recursive: true, mode: 0o700})
    writeFileSync(file, JSON.stringify({pid: 1, host: 'another-host', token: 'abc'}))
    const old = new Date(Date.now() - 60_000)
    utimesSync(file, old, old)
    const {ctx} = testContext(scratch.env)
    expect(await withProfileLock(ctx, 'shared', async () => 1, {staleMs: 200, waitTimeoutMs: 5000})).to.equal(1)
    // A live holder elsewhere keeps its lock fresh: the waiter gives up with a clear error instead.
    writeFileSync(file, JSON.stringify({pid: 1, host: 'another-host', token: 'def'}))
    const beat = setInterval(() => utimesSync(file, new Date(), new Date()), 20)
    try {
      const err = (await withProfileLock(ctx, 'shared', async () => 2, {staleMs: 200, waitTimeoutMs: 300}).catch((e: unknown) => e)) as {code: string}
      expect(err.code).to.equal('CREDENTIAL_LOCK_TIMEOUT')
    } finally {
      clearInterval(beat)
    }
  })
})
