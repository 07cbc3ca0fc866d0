// The JSON contract: every command of the manifest has a committed schema, and runs that break it fail the test that ran them.
import {Ajv2020} from 'ajv/dist/2020.js'
import {expect} from 'chai'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {ROOT} from '../helpers/cli.js'
import {checkCommandJson, commandIdOf, printsJsonDocument, schemaPath} from '../helpers/command-schema.js'

const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, {hidden?: boolean; flags: Record<string, unknown>}>
}
// Hidden commands too: every command with --json (the base command enables the flag) prints a JSON document. The one
// without is `__complete`, whose answer is for a shell.
const ids = Object.keys(manifest.commands).filter((id) => manifest.commands[id].flags.json)

describe('command JSON schemas', () => {
  it('every command in oclif.manifest.json, hidden ones included, has schemas/<topic>-<verb>.json', () => {
    expect(ids.length).to.be.greaterThan(30)
    expect(Object.keys(manifest.commands).filter((id) => !ids.includes(id))).to.deep.equal(['__complete'])
    expect(ids.filter((id) => !existsSync(schemaPath(id)))).to.deep.equal([])
  })

  it('no schema without a command (but error.json, the error document of all of them, and dlp-policies.json, a file format)', () => {
    const files = readdirSync(join(ROOT, 'schemas')).filter((f) => f !== 'error.json' && f !== 'dlp-policies.json')
    expect(files.filter((f) => !ids.some((id) => schemaPath(id) === join(ROOT, 'schemas', f)))).to.deep.equal([])
  })

  it('every schema is valid 2020-12 JSON Schema (strict), with its $id and title', () => {
    const ajv = new Ajv2020({allErrors: true, strict: true})
    for (const id of ids) {
      const schema = JSON.parse(readFileSync(schemaPath(id), 'utf8')) as {$id: string; title: string}
      expect(() => ajv.compile(schema), id).not.to.throw()
      expect(schema.title).to.equal(`ppctl ${id.replaceAll(':', ' ')} --json`)
    }
  })

  it('every list command prints the list envelope {count, items}', () => {
    const lists = ids.filter((id) => id.endsWith(':list') || id === 'sandbox:users')
    expect(lists).to.include.members(['auth:list', 'user:list', 'sandbox:users', 'connector:list', 'license:list', 'config:list'])
    for (const id of lists) {
      const schema = JSON.parse(readFileSync(schemaPath(id), 'utf8')) as {required: string[]; properties: Record<string, {type: string}>}
      expect(schema.required, id).to.include.members(['count', 'items'])
      expect(schema.properties.count.type, id).to.equal('integer')
      expect(schema.properties.items.type, id).to.equal('array')
    }
  })

  describe('runs are held to their schema (runCommand and runCli call this)', () => {
    it('--json: the old auth list document {profiles} fails; {count, items} passes', () => {
      const profiles = [{name: 'work', active: true, default: true, authority: null, account: null, tenantId: null, method: null, signedIn: false}]
      expect(() => checkCommandJson('auth:list', {json: true, code: 0, stdout: JSON.stringify({profiles}), result: undefined})).to.throw(
        /ppctl auth list --json: stdout does not match its schema/,
      )
      expect(() => checkCommandJson('auth:list', {json: true, code: 0, stdout: JSON.stringify({count: 1, items: profiles}), result: undefined})).not.to.throw()
    })

    it('--json after a failure: the error document of schemas/error.json, nothing else', () => {
      const error = {error: {code: 'NOT_FOUND', message: 'No such user.', exitCode: 6}}
      expect(() => checkCommandJson('user:show', {json: true, code: 6, stdout: JSON.stringify(error) + '\n', result: undefined})).not.to.throw()
      expect(() => checkCommandJson('user:show', {json: true, code: 6, stdout: JSON.stringify({error: {code: 'NOT_FOUND'}}), result: undefined})).to.throw(
        /the error document does not match/,
      )
    })

    it('without --json: what run() returned is what --json would print, so it is checked too', () => {
      expect(() => checkCommandJson('sandbox:users', {json: false, code: 0, stdout: 'a table', result: {users: []}})).to.throw(
        /run\(\)'s result does not match/,
      )
      expect(() => checkCommandJson('sandbox:users', {json: false, code: 0, stdout: 'a table', result: {count: 0, items: []}})).not.to.throw()
    })

    it('NDJSON (audit watch --json): every line is checked', () => {
      const alert = {detector: 'connector-unblocked', time: '2026-01-01T00:00:00Z', subject: 'c1', summary: 'unblocked', count: 1, seqs: [3]}
      const good = `${JSON.stringify(alert)}\n${JSON.stringify({...alert, seqs: [4]})}\n`
      expect(() => checkCommandJson('audit:watch', {json: true, code: 0, stdout: good, result: undefined})).not.to.throw()
      expect(() => checkCommandJson('audit:watch', {json: true, code: 0, stdout: `${good}{"detector":"x"}\n`, result: undefined})).to.throw(/a line of stdout/)
    })

    it('the command of an argv: the longest id in the manifest, before the first flag', () => {
      expect(commandIdOf(['sandbox', 'sp', 'create', '--name', 'x', '--json'])).to.equal('sandbox:sp:create')
      expect(commandIdOf(['sandbox', 'status', '--json'])).to.equal('sandbox:status')
      expect(commandIdOf(['--version'])).to.equal(undefined)
    })

    it('a --json run reshaped by --query is not held to the document schema (its run() result still is)', () => {
      expect(printsJsonDocument(['user', 'list', '--json'])).to.equal(true)
      expect(printsJsonDocument(['user', 'list', '--json', '--query', 'items[0]'])).to.equal(false)
      expect(printsJsonDocument(['user', 'list', '--json', '--query=count'])).to.equal(false)
      expect(printsJsonDocument(['user', 'list'])).to.equal(false)
    })
  })
})
