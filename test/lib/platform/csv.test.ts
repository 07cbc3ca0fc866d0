// The upn,sku CSV reader (csv-parse): quotes, "" escapes, line breaks inside quotes, CRLF, BOM, blank lines, bad rows as rows, header checks.
import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {PpctlError} from '../../../src/lib/errors/index.js'
import {readUpnSkuCsv} from '../../../src/lib/platform/csv.js'
import {idempotencyKey} from '../../../src/lib/platform/licenses.js'

describe('csv', () => {
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

    it('quotes, doubled quotes, commas and line breaks inside quotes; CRLF, a BOM, blank and trailing empty lines; lines count physical lines', async () => {
      const text = '\uFEFFupn,sku,note\r\n\r\n"a@c.example","P""1","x, y"\r\nb@c.example,P2,"two\r\nlines"\r\nc@c.example,P3\r\n\r\n\r\n'
      expect(await readUpnSkuCsv(file(text))).to.deep.equal([
        {line: 3, upn: 'a@c.example', sku: 'P"1'},
        {line: 4, upn: 'b@c.example', sku: 'P2'},
        {line: 6, upn: 'c@c.example', sku: 'P3'},
      ])
    })

    it('only a missing or wrong header fails the whole file (exit 2, naming the file)', async () => {
      for (const text of ['a@c.example,FLOW_FREE\n', 'upn,licence\nx@c.example,P\n', '', '\r\n\r\n']) {
        expect(await rejection(readUpnSkuCsv(file(text)))).to.include({
          exitCode: 2,
          code: 'CSV_HEADER',
          message: 'users.csv: the first line must be a header with the columns upn and sku.',
        })
      }
    })

    it('a row with a missing or bad field is a row with its line and reason; the rows after it are read', async () => {
      const text = 'upn,sku\na@c.example,\n,P1\nnot-a-user,P1\nb"ad@c.example,P1\n"q"x@c.example,P1\nz@c.example,P1\n"open@c.example,P1\nlost@c.example,P1\n'
      expect(await readUpnSkuCsv(file(text))).to.deep.equal([
        {line: 2, upn: 'a@c.example', sku: '', problem: 'sku is empty'},
        {line: 3, upn: '', sku: 'P1', problem: 'upn is empty'},
        {line: 4, upn: 'not-a-user', sku: 'P1', problem: 'upn "not-a-user" is not a user name (name@domain)'},
        {line: 5, upn: 'b"ad@c.example', sku: 'P1'},
        {line: 6, upn: '"q"x@c.example', sku: 'P1'},
        {line: 7, upn: 'z@c.example', sku: 'P1'},
        {line: 8, upn: '', sku: '', problem: 'a quoted field is not closed (the rest of the file is part of it)'},
      ])
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
