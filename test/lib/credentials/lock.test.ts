// The cross-process profile lock: serial under contention, recovered from a killed or silent holder.
import {expect} from 'chai'
import {spawn, type ChildProcess} from 'node:child_process'
import {readFileSync, readdirSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync, mkdirSync} from 'node:fs'
import {hostname} from 'node:os'
import {join} from 'node:path'

import {ROOT} from '../../helpers/cli.js'
import {makeScratchHome, type ScratchHome} from '../../helpers/keyring.js'
import {lockFileFor, withProfileLock} from '../../../src/lib/credentials/index.js'
import {backoffMs} from '../../../src/lib/credentials/lock.js'
import {testContext} from '../../helpers/context.js'

const HOLDER = join(ROOT, 'test', 'lib', 'credentials', 'fixtures', 'lock-holder.ts')
const WAITER = join(ROOT, 'test', 'lib', 'credentials', 'fixtures', 'lock-waiter.ts')

interface WaitCost {
  result: string
  cpuMs: number
  wallMs: number
  waits: number
}

/** Runs a waiter in its own process (so its CPU time is its own) until its wait timeout, and reads what it cost. */
function runWaiter(env: NodeJS.ProcessEnv, waitMs: number, staleMs: number): Promise<WaitCost> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WAITER], {
      cwd: ROOT,
      env: {...env, LOCK_WAIT_MS: String(waitMs), LOCK_STALE_MS: String(staleMs)},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    child.stderr.on('data', (c: Buffer) => (err += c.toString()))
    child.on('error', reject)
    child.on('close', () => {
      try {
        resolve(JSON.parse(out) as WaitCost)
      } catch {
        reject(new Error(`the waiter printed no report: ${out}${err}`))
      }
    })
  })
}

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
    const sections = readFileSync(join(scratch.home, 'sections'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ').map(Number))
      .sort((a, b) => a[0] - b[0])
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
    const {ctx} = testContext({env: scratch.env, pathsFromEnv: true})
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
    const {ctx} = testContext({env: scratch.env, pathsFromEnv: true})
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

  describe('a waiter sleeps (backoff with jitter) in every branch, and honours its timeout', function () {
    this.timeout(120_000)
    const HOUR = 3_600_000
    const lockFile = () => lockFileFor(join(scratch.home, 'config'), 'shared')
    const prepare = () => mkdirSync(join(scratch.home, 'config', 'locks'), {recursive: true, mode: 0o700})
    const setups: Array<[string, () => void]> = [
      ['held by a process on another host', () => writeFileSync(lockFile(), JSON.stringify({pid: 1, host: 'another-host', token: 'abc'}))],
      // This test's own pid: alive, and not a ppctl waiting on the lock.
      ['held by a live pid on this host', () => writeFileSync(lockFile(), JSON.stringify({pid: process.pid, host: hostname(), token: 'abc'}))],
      ['an unreadable lock file (half written)', () => writeFileSync(lockFile(), '{"pid": 4')],
      [
        'a stale lock another waiter is taking over (its guard file)',
        () => {
          writeFileSync(lockFile(), JSON.stringify({pid: 1, host: 'another-host', token: 'abc'}))
          const old = new Date(Date.now() - 2 * HOUR)
          utimesSync(lockFile(), old, old)
          writeFileSync(`${lockFile()}.takeover`, '')
        },
      ],
      // open(O_EXCL) fails, reading finds nothing: the lock looks absent on every round.
      ['a lock path that is gone but cannot be created (a dangling symlink)', () => symlinkSync(join(scratch.home, 'nowhere'), lockFile())],
    ]
    for (const [name, setup] of setups) {
      it(`${name}: CPU time a small fraction of the wait, then CREDENTIAL_LOCK_TIMEOUT`, async () => {
        prepare()
        setup()
        // The stale threshold (1 h) keeps a live lock live for the whole wait, however slowly the machine runs.
        const cost = await runWaiter(scratch.env, 3000, HOUR)
        expect(cost.result, JSON.stringify(cost)).to.equal('CREDENTIAL_LOCK_TIMEOUT')
        expect(cost.waits, JSON.stringify(cost)).to.be.at.least(1)
        // A ratio of resources, not a time limit: a busy loop costs about as much CPU as it waits.
        expect(cost.cpuMs / cost.wallMs, JSON.stringify(cost)).to.be.below(0.1)
      })
    }

    it('gets a lock held on another host once it is released, after the waits the test chose', async () => {
      prepare()
      writeFileSync(lockFile(), JSON.stringify({pid: 1, host: 'another-host', token: 'abc'}))
      const {ctx} = testContext({env: scratch.env, pathsFromEnv: true})
      const seen: number[] = []
      const result = await withProfileLock(ctx, 'shared', async () => 'got it', {
        staleMs: HOUR,
        waitTimeoutMs: HOUR,
        onWait: (n) => {
          seen.push(n)
          if (n === 5) unlinkSync(lockFile())
        },
      })
      expect(result).to.equal('got it')
      expect(seen).to.deep.equal([0, 1, 2, 3, 4, 5])
    })

    it('backs off exponentially with full jitter, capped at 0.5 s, never 0', () => {
      expect([0, 1, 2, 3].map((n) => backoffMs(n, () => 1))).to.deep.equal([10, 20, 40, 80])
      expect(backoffMs(30, () => 1)).to.equal(500)
      expect(backoffMs(30, () => 0.5)).to.equal(250)
      expect(backoffMs(30, () => 0)).to.equal(2)
    })
  })
})
