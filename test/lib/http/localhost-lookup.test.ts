// Unit tests of .localhost resolution (RFC 6761): loopback without DNS, everything else delegated unchanged.
import {expect} from 'chai'
import type {LookupAddress, LookupOptions} from 'node:dns'
import {connect, createServer, type AddressInfo, type Socket} from 'node:net'

import {createLocalhostLookup, isLocalhostName, type LookupCallback, type LookupFunction} from '../../../src/lib/http/localhost-lookup.js'

interface Answer {
  err: NodeJS.ErrnoException | null
  address: string | LookupAddress[]
  family?: number
}

/** A delegate that records its calls and answers a fixed public address, so no test reaches DNS. */
function recordingDelegate() {
  const calls: Array<{hostname: string; options: unknown}> = []
  const delegate: LookupFunction = (hostname, options, callback) => {
    calls.push({hostname, options})
    const cb = (typeof options === 'function' ? options : callback) as LookupCallback
    const all = typeof options === 'object' && options.all
    if (all) cb(null, [{address: '192.0.2.7', family: 4}])
    else cb(null, '192.0.2.7', 4)
  }
  return {calls, delegate}
}

function resolve(lookup: LookupFunction, hostname: string, options: LookupOptions | number = {}): Promise<Answer> {
  return new Promise((done) => {
    lookup(hostname, options, (err, address, family) => done({err, address, family}))
  })
}

describe('http/localhost-lookup', () => {
  describe('isLocalhostName', () => {
    for (const name of ['localhost', 'LOCALHOST', 'localhost.', 'api.test.localhost', 'Login.Sandbox.LocalHost', 'a.localhost.']) {
      it(`treats ${name} as loopback`, () => expect(isLocalhostName(name)).to.equal(true))
    }
    for (const name of ['example.com', 'localhost.example.com', 'notlocalhost', 'xlocalhost', 'localhost..', 'localhost.com', '127.0.0.1']) {
      it(`does not treat ${name} as loopback`, () => expect(isLocalhostName(name)).to.equal(false))
    }
  })

  describe('lookup', () => {
    for (const name of ['localhost', 'api.test.localhost', 'API.Test.LOCALHOST', 'api.test.localhost.']) {
      it(`answers 127.0.0.1 for ${name} without asking the delegate`, async () => {
        const {calls, delegate} = recordingDelegate()
        const answer = await resolve(createLocalhostLookup(delegate), name)
        expect(answer).to.deep.equal({err: null, address: '127.0.0.1', family: 4})
        expect(calls).to.have.length(0)
      })
    }

    it('answers ::1 when family 6 is asked (as a number, an option or "IPv6")', async () => {
      const {calls, delegate} = recordingDelegate()
      const lookup = createLocalhostLookup(delegate)
      expect(await resolve(lookup, 'api.test.localhost', {family: 6})).to.deep.equal({err: null, address: '::1', family: 6})
      expect(await resolve(lookup, 'api.test.localhost', 6)).to.deep.equal({err: null, address: '::1', family: 6})
      expect(await resolve(lookup, 'localhost', {family: 'IPv6'})).to.deep.equal({err: null, address: '::1', family: 6})
      expect(await resolve(lookup, 'localhost', {family: 4})).to.deep.equal({err: null, address: '127.0.0.1', family: 4})
      expect(calls).to.have.length(0)
    })

    it('answers a list when all: true is asked, as net.connect does', async () => {
      const {delegate} = recordingDelegate()
      const lookup = createLocalhostLookup(delegate)
      const v4 = await resolve(lookup, 'api.test.localhost', {all: true, hints: 32})
      expect(v4.err).to.equal(null)
      expect(v4.address).to.deep.equal([{address: '127.0.0.1', family: 4}])
      const v6 = await resolve(lookup, 'api.test.localhost', {all: true, family: 6})
      expect(v6.address).to.deep.equal([{address: '::1', family: 6}])
    })

    it('accepts the callback as the second argument, like dns.lookup', async () => {
      const lookup = createLocalhostLookup(recordingDelegate().delegate)
      const answer = await new Promise<Answer>((done) => lookup('x.localhost', (err, address, family) => done({err, address, family})))
      expect(answer).to.deep.equal({err: null, address: '127.0.0.1', family: 4})
    })

    it('calls back asynchronously', () => {
      const lookup = createLocalhostLookup(recordingDelegate().delegate)
      let called = false
      lookup('localhost', {}, () => {
        called = true
      })
      expect(called).to.equal(false)
    })

    for (const name of ['example.com', 'localhost.example.com', 'notlocalhost']) {
      it(`hands ${name} to the delegate with the caller's options`, async () => {
        const {calls, delegate} = recordingDelegate()
        const options = {all: true, hints: 32}
        const answer = await resolve(createLocalhostLookup(delegate), name, options)
        expect(calls).to.deep.equal([{hostname: name, options}])
        expect(answer.address).to.deep.equal([{address: '192.0.2.7', family: 4}])
      })
    }

    it('works as the lookup of a real net.connect (Node calls it with all: true)', async () => {
      const server = createServer((socket) => socket.end('hello'))
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
      const {port} = server.address() as AddressInfo
      const {calls, delegate} = recordingDelegate()
      try {
        const received = await new Promise<string>((done, fail) => {
          const socket: Socket = connect({host: 'api.test.localhost', port, lookup: createLocalhostLookup(delegate) as never})
          let text = ''
          socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')))
          socket.on('end', () => done(text))
          socket.on('error', fail)
        })
        expect(received).to.equal('hello')
        expect(calls).to.have.length(0)
      } finally {
        await new Promise<void>((done) => server.close(() => done()))
      }
    })
  })
})
