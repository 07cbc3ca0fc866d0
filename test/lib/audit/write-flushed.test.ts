// Writes to stdout that never wait forever: a closed or failing output rejects, and watchOutput notices the reader leave.
// (The real process.stdout is not left destroyed after EPIPE: each later write fails again. The e2e test of exit 141
// covers that path with a real pipe.)
import {expect} from 'chai'
import {Writable} from 'node:stream'

import {watchOutput, writeFlushed, writeWithBackpressure} from '../../../src/lib/audit/write-flushed.js'
import {rejection} from '../../helpers/rejection.js'

/** A writable that takes every write ('ok'), or fails each with EPIPE, as stdout does once its reader has exited. */
function sink(mode: 'ok' | 'epipe') {
  const written: string[] = []
  const stream = new Writable({
    highWaterMark: 4,
    write(chunk: Buffer, _enc, cb) {
      if (mode === 'epipe') return cb(Object.assign(new Error('write EPIPE'), {code: 'EPIPE'}))
      written.push(chunk.toString())
      cb()
    },
  })
  stream.on('error', () => {})
  return {stream, written}
}

describe('audit output writes', () => {
  it('writes and resolves while the output takes data', async () => {
    const {stream, written} = sink('ok')
    await writeWithBackpressure(stream, 'a long line\n')
    await writeFlushed(stream, 'b\n')
    expect(written).to.deep.equal(['a long line\n', 'b\n'])
  })

  it('rejects, instead of waiting for a drain that never comes, when the reader has gone (EPIPE)', async () => {
    const {stream} = sink('epipe')
    const watch = watchOutput(stream)
    // The first write fails asynchronously and destroys the stream; the output watch sees it.
    const first = await rejection(writeWithBackpressure(stream, 'more than the high-water mark\n'))
    expect(first).to.be.instanceOf(Error)
    expect(watch.closed()).to.equal(true)
    expect(watch.signal.aborted).to.equal(true)
    // Every later write rejects at once.
    expect((await rejection(writeWithBackpressure(stream, 'x\n'))) as {code?: string}).to.include({code: 'ERR_STREAM_DESTROYED'})
    expect((await rejection(writeFlushed(stream, 'x\n'))) as {code?: string}).to.include({code: 'ERR_STREAM_DESTROYED'})
    watch.dispose()
  })

  it('reports a write as taken only once the stream took it, and stops waiting for a drain when interrupted', async () => {
    let release: (() => void) | undefined
    const stuck = new Writable({highWaterMark: 4, write: (_c, _e, cb) => void (release = () => cb())})
    const taken: string[] = []
    const stop = new AbortController()
    const waiting = writeWithBackpressure(stuck, 'a line longer than the high-water mark\n', () => taken.push('first'), stop.signal)
    await new Promise((resolve) => setImmediate(resolve))
    expect(taken).to.deep.equal([])
    stop.abort()
    expect((await rejection(waiting)) as {name?: string}).to.include({name: 'AbortError'})
    release?.()
    await new Promise((resolve) => setImmediate(resolve))
    expect(taken).to.deep.equal(['first'])
    // writeFlushed, too, gives up its wait on interrupt.
    const flushing = writeFlushed(stuck, 'x\n', stop.signal)
    expect((await rejection(flushing)) as {name?: string}).to.include({name: 'AbortError'})
  })

  it('a watch on an output that is already destroyed starts aborted', () => {
    const {stream} = sink('ok')
    stream.destroy()
    expect(watchOutput(stream).closed()).to.equal(true)
  })
})
