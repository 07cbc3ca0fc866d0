// isAlive: a running process is alive; an exited one, and a zombie not yet reaped by its parent, are not. choosePort: which port a start uses.
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {choosePort, DEFAULT_PORT, isAlive, recordedPort} from '../../../src/lib/sandbox/lifecycle.js'

const state = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat[stat.lastIndexOf(')') + 2]
}

describe('sandbox lifecycle: isAlive', () => {
  it('is true for this process and false for a pid that does not exist', () => {
    expect(isAlive(process.pid)).to.equal(true)
    expect(isAlive(2 ** 22 + 12345)).to.equal(false)
  })

  it('is false for a zombie (killed, not yet reaped), as after SIGKILL of a detached platform', async function () {
    if (process.platform !== 'linux') this.skip()
    // The shell starts a child and exec's into a program that never reaps it: the child becomes a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], {stdio: ['ignore', 'pipe', 'ignore']})
    try {
      const pid = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()))))
      // Wait for the condition, not for a time: the child exits at once.
      await new Promise<void>((resolve) => {
        const check = () => (state(pid) === 'Z' ? resolve() : setImmediate(check))
        check()
      })
      expect(isAlive(pid)).to.equal(false)
    } finally {
      parent.kill('SIGKILL')
    }
  })
})

describe('sandbox lifecycle: choosePort', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ppctl-port-'))
  })
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  it('--port wins (0 included); without it the recorded port of the last run; without a record the default', async () => {
    expect(await choosePort(dir, undefined)).to.deep.equal({port: DEFAULT_PORT, recorded: false})
    writeFileSync(join(dir, 'port.json'), JSON.stringify({port: 41234}))
    expect(await choosePort(dir, undefined)).to.deep.equal({port: 41234, recorded: true})
    expect(await choosePort(dir, 0)).to.deep.equal({port: 0, recorded: false})
    expect(await choosePort(dir, 9000)).to.deep.equal({port: 9000, recorded: false})
  })

  it('ignores a record that is not a port', async () => {
    for (const text of ['{"port":0}', '{"port":70000}', '{"port":"8443"}', '{"port":1.5}', 'not json']) {
      writeFileSync(join(dir, 'port.json'), text)
      expect(await recordedPort(dir), text).to.equal(undefined)
    }
  })
})
