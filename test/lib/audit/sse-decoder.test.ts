// The SSE decoder reads bytes as they come off the socket: ASCII chunks are copied, others go through a streaming
// TextDecoder; a character cut between two chunks (either way round) is never lost or replaced.
import {expect} from 'chai'

import {SseDecoder, type AuditFrame} from '../../../src/lib/audit/sse-decoder.js'

const frame = (seq: number, upn: string) => `id: ${seq}\nevent: audit\ndata: ${JSON.stringify({seq, actor: {type: 'user', upn}})}\n\n`

function decode(chunks: Uint8Array[]): AuditFrame[] {
  const got: AuditFrame[] = []
  const d = new SseDecoder({onFrame: (f) => got.push(f)})
  for (const c of chunks) d.feed(c)
  return got
}

/** Every way of cutting `bytes` in two, and in three around each non-ASCII byte. */
function* cuts(bytes: Buffer): Generator<Uint8Array[]> {
  for (let i = 0; i <= bytes.length; i++) yield [bytes.subarray(0, i), bytes.subarray(i)]
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] < 0x80) continue
    yield [bytes.subarray(0, i), bytes.subarray(i, i + 1), bytes.subarray(i + 1)]
  }
}

describe('SSE decoder (src/lib/audit/sse-decoder.ts)', () => {
  const upns = ['admin@contoso.example', 'zoë@contoso.example', '😀@contoso.example', 'ü\u2028@x']

  it('gives every frame exactly, however the bytes are cut: ASCII before, after and between characters of several bytes', () => {
    const text = upns.map((u, i) => frame(i + 1, u)).join('')
    const bytes = Buffer.from(text)
    for (const chunks of cuts(bytes)) {
      const got = decode(chunks)
      expect(
        got.map((f) => [f.seq, (f.event.actor as {upn: string}).upn]),
        chunks.map((c) => c.length).join('+'),
      ).to.deep.equal(upns.map((u, i) => [i + 1, u]))
      expect(got.map((f) => f.data).join('')).not.to.include('\ufffd')
    }
  })

  it('keeps what is not UTF-8 as the replacement character, and the frames after it whole', () => {
    const bytes = Buffer.concat([Buffer.from('id: 1\nevent: audit\ndata: {"seq":1,"x":"'), Buffer.from([0xc3]), Buffer.from(`"}\n\n${frame(2, 'b')}`)])
    for (const chunks of cuts(bytes)) {
      const got = decode(chunks)
      expect(got.map((f) => f.seq)).to.deep.equal([1, 2])
      expect(got[0].event.x).to.equal('\ufffd')
      expect((got[1].event.actor as {upn: string}).upn).to.equal('b')
    }
  })
})
