// The CSV reader: quotes, "" escapes, line breaks inside quotes, CRLF, BOM, blank lines, header checks.
import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {PpctlError} from '../../../src/lib/errors/index.js'
import {parseCsv, readUpnSkuCsv} from '../../../src/lib/platform/csv.js'
import {idempotencyKey} from '../../../src/lib/platform/licenses.js'

describe('csv', () => {
  it('parses quotes, doubled quotes, commas and line breaks inside quotes', () => {
    expect(parseCsv('a,"b,c","say ""hi""","two\nlines"\n')).to.deep.equal([{line: 1, fields: ['a', 'b,c', 'say "hi"', 'two\nlines']}])
  })

  it('handles CRLF, a BOM, blank lines and a missing final newline; line numbers count physical lines', () => {
    expect(parseCsv('\uFEFFupn,sku\r\n\r\nx,y\r\n"m\r\nn",z')).to.deep.equal([
      {line: 1, fields: ['upn', 'sku']},
      {line: 3, fields: ['x', 'y']},
      {line: 4, fields: ['m\r\nn', 'z']},
    ])
  })

  it('keeps an empty quoted field as a record', () => {
    expect(parseCsv('""\n')).to.deep.equal([{line: 1, fields: ['']}])
  })

  it('refuses an unterminated quote, naming the file and line', () => {
    expect(() => parseCsv('a\n"b,c\n', 'users.csv')).to.throw('users.csv: line 2: a quoted field is not closed.')
  })

  describe('readUpnSkuCsv', () => {
    let dir: string
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ppctl-csv-'))))
    afterEach(() => rmSync(dir, {recursive: true, force: true}))
    const file = (text: string) => {
      const path = join(dir, 'users.csv')
      writeFileSync(path, text)
      return path
    }
    async function rejection(p: Promise<unknown>): Promise<PpctlError> {
      try {
        await p
      } catch (err) {
        return err as PpctlError
      }
      throw new Error('expected a rejection')
    }

    it('reads the columns by header name, in any order, other columns ignored', async () => {
      expect(await readUpnSkuCsv(file('SKU,note,UPN\nFLOW_FREE,"x, y", a@c.example \n'))).to.deep.equal([{line: 2, upn: 'a@c.example', sku: 'FLOW_FREE'}])
    })

    it('a missing header or an empty cell is a usage error naming the file', async () => {
      expect((await rejection(readUpnSkuCsv(file('a@c.example,FLOW_FREE\n')))).message).to.equal(
        'users.csv: the first line must be a header with the columns upn and sku.',
      )
      const empty = await rejection(readUpnSkuCsv(file('upn,sku\na@c.example,\n')))
      expect(empty).to.include({exitCode: 2, message: 'users.csv: line 2: sku is empty.'})
    })
  })

  describe('idempotencyKey', () => {
    it('is deterministic, case-insensitive on the UPN, and differs by tenant, operation and generation', () => {
      const k = idempotencyKey('t1', 'A@c.example', 'P1', 'assign')
      expect(k).to.equal(idempotencyKey('t1', 'a@C.example', 'P1', 'assign'))
      expect(k).to.match(/^ppctl-assign-[\w-]{43}$/)
      expect(
        new Set([
          k,
          idempotencyKey('t2', 'a@c.example', 'P1', 'assign'),
          idempotencyKey('t1', 'a@c.example', 'P1', 'revoke'),
          idempotencyKey('t1', 'a@c.example', 'P1', 'assign', 'g'),
        ]).size,
      ).to.equal(4)
    })
  })
})
