// The platform's body reader against a plain node:http server: limits, types, and a refusal the client can read before the connection closes.
import {createServer, request, type IncomingMessage, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {expect} from 'chai'

import {BodyRejected, readBody} from '../../src/sandbox/body.js'
import {sendJson} from '../../src/sandbox/http-util.js'

interface Answer {
  status: number
  headers: IncomingMessage['headers']
  body: string
}

function send(port: number, headers: Record<string, string>, chunks: Buffer[]): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({host: '127.0.0.1', port, method: 'POST', path: '/', headers, agent: false}, (res) => {
      let body = ''
      res.on('data', (d: Buffer) => (body += d.toString('utf8')))
      res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, body}))
    })
    req.on('error', reject)
    for (const chunk of chunks) req.write(chunk)
    req.end()
  })
}

describe('request body reader', () => {
  let server: Server
  let port: number
  let socketsGone = 0

  before(async () => {
    server = createServer((req, res) => {
      readBody(req, {types: ['application/json'], limit: 1024}).then(
        (body) => sendJson(res, 200, {bytes: body.length}),
        (err: unknown) => {
          if (!(err instanceof BodyRejected)) throw err
          // What every service does: the answer first, with the rejection's headers; the socket must still be there.
          if (req.socket === null || req.socket.destroyed) socketsGone++
          sendJson(res, err.status, {code: err.code}, err.headers)
        },
      )
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })

  after(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it('reads a body within the limit', async () => {
    const res = await send(port, {'content-type': 'application/json; charset=utf-8'}, [Buffer.from('{"a":1}')])
    expect(res.status).to.equal(200)
    expect(JSON.parse(res.body)).to.deep.equal({bytes: 7})
  })

  it('refuses a declared oversized body with 413 and Connection: close, after reading the rest away', async () => {
    const res = await send(port, {'content-type': 'application/json', 'content-length': String(64 * 1024)}, [Buffer.alloc(64 * 1024, 0x20)])
    expect(res.status).to.equal(413)
    expect(res.headers.connection).to.equal('close')
    expect(JSON.parse(res.body)).to.deep.equal({code: 'PAYLOAD_TOO_LARGE'})
    expect(socketsGone).to.equal(0)
  })

  it('refuses a chunked body that grows past the limit with 413, the socket still open for the answer', async () => {
    const chunks = Array.from({length: 32}, () => Buffer.alloc(4096, 0x20))
    const res = await send(port, {'content-type': 'application/json', 'transfer-encoding': 'chunked'}, chunks)
    expect(res.status).to.equal(413)
    expect(res.headers.connection).to.equal('close')
    expect(socketsGone).to.equal(0)
  })

  it('refuses a body of another content type with 415', async () => {
    const res = await send(port, {'content-type': 'text/plain'}, [Buffer.from('hello')])
    expect(res.status).to.equal(415)
    expect(JSON.parse(res.body)).to.deep.equal({code: 'UNSUPPORTED_MEDIA_TYPE'})
  })
})
