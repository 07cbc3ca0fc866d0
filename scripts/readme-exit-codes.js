#!/usr/bin/env node
// Writes the README's exit-code table from the error module (dist/lib/errors/exit-codes.js), between its markers.
import {readFileSync, writeFileSync} from 'node:fs'

const {EXIT_CODE_DOCS} = await import(new URL('../dist/lib/errors/exit-codes.js', import.meta.url))
const file = new URL('../README.md', import.meta.url)
const readme = readFileSync(file, 'utf8')
const start = '<!-- exit-codes -->'
const stop = '<!-- exit-codes-stop -->'
const table = ['| code | meaning |', '| ---: | --- |', ...EXIT_CODE_DOCS.map(([code, text]) => `| ${code} | ${text} |`)].join('\n')
const from = readme.indexOf(start)
const to = readme.indexOf(stop)
if (from < 0 || to < from) {
  console.error(`README.md has no ${start} … ${stop} markers`)
  process.exit(1)
}
writeFileSync(file, readme.slice(0, from + start.length) + '\n' + table + '\n' + readme.slice(to))
