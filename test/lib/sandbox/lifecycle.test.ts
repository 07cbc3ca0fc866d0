// isAlive: a running process is alive; an exited one, and a zombie not yet reaped by its parent, are not. choosePort: which port a start uses. controlRequest: one connection per request.
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {choosePort, controlRequest, DEFAULT_PORT, isAlive, recordedPort} from '../../../src/lib/sandbox/lifecycle.js'

const state = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat[stat.lastIndexOf(')') + 2]
}

/** Resolves once the check holds, checking again on each turn of the event loop. */
const until = (check: () => boolean) =>
  new Promise<void>((resolve, reject) => {
    const next = () => {
      try {
        if (check()) resolve()
        else setImmediate(next)
      } catch (err) {
        reject(err)
      }
    }
    next()
  })

describe('sandbox lifecycle: isAlive', () => {
  it('is true for this process and false for a pid that does not exist', () => {
    expect(isAlive(process.pid)).to.equal(true)
    expect(isAlive(2 ** 22 + 12345)).to.equal(false)
  })

  it('is false for a zombie (killed, not yet reaped), as after SIGKILL of a detached platform', async function () {
    if (process.platform !== 'linux') this.skip()
    // The shell starts a child that waits on our pipe (fd 3), then exec's into a program that never reaps it. Only
    // once the shell has become `sleep` is the child let go, so no shell is left to reap it: it stays a zombie.
    const parent = spawn('sh', ['-c', 'exec 3<&0; (read x <&3) </dev/null & echo $!; exec sleep 30 3<&-'], {stdio: ['pipe', 'pipe', 'ignore']})
    try {
      const pid = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()))))
      // Wait for conditions, not for a time: first the exec, then the child's exit.
      await until(() => readFileSync(`/proc/${parent.pid}/comm`, 'utf8').trim() === 'sleep')
      expect(isAlive(pid), 'the waiting child is alive').to.equal(true)
      parent.stdin.end('go\n')
      await until(() => state(pid) === 'Z')
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

describe('sandbox lifecycle: controlRequest', () => {
  it('gets every answer of a control server that answers and closes at once, each request on a connection of its own', async () => {
    // The control socket failed with "write EPIPE" on a loaded machine: node:http wrote after the request (an empty
    // end-of-request write, replayed late by this process's HTTP interceptor; or into a pooled connection the server
    // had closed while idle). The server runs in its own process, as the platform does, and closes right after answering.
    const dir = mkdtempSync(join(tmpdir(), 'ppctl-control-'))
    const socketPath = join(dir, 'control.sock')
    const server = spawn(
      process.execPath,
      [
        '-e',
        `const http = require('node:http'); let connections = 0
         const server = http.createServer(async (req, res) => {
           let text = ''; for await (const c of req) text += c
           const body = JSON.stringify({connections, method: req.method, connection: req.headers.connection, echo: text ? JSON.parse(text) : null})
           res.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close'}).end(body)
         })
         server.on('connection', () => connections++)
         server.listen(process.argv[1], () => console.log('ready'))`,
        socketPath,
      ],
      {stdio: ['ignore', 'pipe', 'inherit']},
    )
    try {
      await new Promise<void>((resolve, reject) => {
        server.stdout.once('data', () => resolve())
        server.once('exit', (code) => reject(new Error(`control server exited ${code}`)))
      })
      for (let i = 1; i <= 60; i++) {
        const answer = await controlRequest<{connections: number; method: string; connection: string; echo: unknown}>(socketPath, 'POST', '/v1/replication', {
          paused: i,
        })
        expect(answer).to.deep.equal({status: 200, body: {connections: i, method: 'POST', connection: 'close', echo: {paused: i}}})
      }
      const get = await controlRequest<{method: string; echo: unknown}>(socketPath, 'GET', '/v1/health')
      expect(get.body).to.include({method: 'GET', echo: null})
    } finally {
      server.kill()
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
