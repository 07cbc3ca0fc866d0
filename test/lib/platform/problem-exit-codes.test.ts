// The README's sentence mapping the platform's HTTP statuses to exit codes, checked against problemError itself.
import {readFileSync} from 'node:fs'

import {expect} from 'chai'

import {problemError} from '../../../src/lib/platform/problem.js'

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')

/** `(400 and 422 `X` → 2, 401 → 4, …, 429/5xx → 9)`: each status (with a code, or "any other"), and its exit code. */
function documented(): Array<{status: number; code?: string; other: boolean; exit: number}> {
  const sentence = /with the exit code of its HTTP status\s+\(([^)]*)\)/.exec(README)
  expect(sentence, 'README.md: the sentence "with the exit code of its HTTP status (…)"').to.not.equal(null)
  const rows = []
  for (const piece of sentence![1].split(/,\s*/)) {
    const [left, right] = piece.split(' → ')
    expect(right, `README: "${piece}" maps to no exit code`).to.match(/^\d+$/)
    for (const alt of left.split(/\/|\s+and\s+/)) {
      const m = /^(any other )?(\d{3}|5xx)(?: `(\w+)`)?$/.exec(alt.trim())
      expect(m, `README: "${alt}" is not a status`).to.not.equal(null)
      const statuses = m![2] === '5xx' ? [500, 502, 503, 504] : [Number(m![2])]
      for (const status of statuses) rows.push({status, code: m![3], other: Boolean(m![1]), exit: Number(right)})
    }
  }
  return rows
}

describe('README: platform status → exit code', () => {
  it('says what problemError does, for every status it names', () => {
    const rows = documented()
    expect(rows.length).to.be.greaterThan(8)
    for (const row of rows) {
      // A status named alone holds for every code; "any other" for codes not named elsewhere in the sentence.
      const named = rows.filter((r) => r.status === row.status && r.code).map((r) => r.code!)
      const codes = row.code ? [row.code] : row.other ? ['SOME_PROBLEM'] : ['SOME_PROBLEM', ...named, 'VALIDATION_FAILED']
      for (const code of codes) {
        const exit = problemError(row.status, {code}, 'Doing it').exitCode
        expect(exit, `HTTP ${row.status} ${code}: the README says exit ${row.exit}`).to.equal(row.exit)
      }
    }
  })
})
