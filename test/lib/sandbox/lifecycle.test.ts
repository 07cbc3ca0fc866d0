// isAlive: a running process is alive; an exited one, and a zombie not yet reaped by its parent, are not.
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'

import {isAlive} from '../../../src/lib/sandbox/lifecycle.js'

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
