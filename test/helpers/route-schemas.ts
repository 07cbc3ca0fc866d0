// The committed JSON Schemas of route show / route diagnose, compiled with ajv for the tests.
import {Ajv2020, type ValidateFunction} from 'ajv/dist/2020.js'
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {ROOT} from './cli.js'

const ajv = new Ajv2020({allErrors: true, strict: true, validateFormats: false})
const compiled = new Map<string, ValidateFunction>()

export function expectSchema(name: 'route-show' | 'route-diagnose', value: unknown): void {
  let validate = compiled.get(name)
  if (!validate) {
    validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas', `${name}.json`), 'utf8')))
    compiled.set(name, validate)
  }
  expect(validate(value), `${name}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value, null, 2)}`).to.equal(true)
}
