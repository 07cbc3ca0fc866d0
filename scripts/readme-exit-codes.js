#!/usr/bin/env node
// Writes the README's exit-code and error-code tables from the error module (dist/lib/errors/), between their markers.
import {readFileSync, writeFileSync} from 'node:fs'

const {EXIT_CODE_DOCS, CODES} = await import(new URL('../dist/lib/errors/index.js', import.meta.url))
const file = new URL('../README.md', import.meta.url)
let readme = readFileSync(file, 'utf8')

function section(name, table) {
  const start = `<!-- ${name} -->`
  const stop = `<!-- ${name}-stop -->`
  const from = readme.indexOf(start)
  const to = readme.indexOf(stop)
  if (from < 0 || to < from) {
    console.error(`README.md has no ${start} … ${stop} markers`)
    process.exit(1)
  }
  readme = readme.slice(0, from + start.length) + '\n' + table + '\n' + readme.slice(to)
}

section('exit-codes', ['| code | meaning |', '| ---: | --- |', ...EXIT_CODE_DOCS.map(([code, text]) => `| ${code} | ${text} |`)].join('\n'))
const byExit = Object.entries(CODES).sort(([a, x], [b, y]) => x.exit - y.exit || a.localeCompare(b))
section(
  'error-codes',
  [
    '| error code | exit | category | retried | meaning |',
    '| --- | ---: | --- | --- | --- |',
    ...byExit.map(([code, info]) => `| \`${code}\` | ${info.exit} | ${info.category} | ${info.retryable ? 'yes' : 'no'} | ${info.description} |`),
  ].join('\n'),
)
writeFileSync(file, readme)
