// Wire shapes (docs/openapi.yaml) and checks shared by the license and user command tests: SKUs, held licenses, users, schemas.
import {Ajv2020, type ValidateFunction} from 'ajv/dist/2020.js'
import {expect} from 'chai'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {ROOT} from './cli.js'

export const seats = (enabled: number, consumed: number) => ({enabled, consumed, available: enabled - consumed})

export const sku = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  displayName: `Name of ${id}`,
  grantsPremium: true,
  capabilities: ['premium-connectors', 'custom-connectors'],
  seats: seats(10, 3),
  ...over,
})

export const held = (skuId: string, over: Record<string, unknown> = {}) => ({
  skuId,
  displayName: `Name of ${skuId}`,
  grantsPremium: true,
  capabilities: ['premium-connectors'],
  assignedAt: '2026-01-01T00:00:00Z',
  ...over,
})

export const user = (upn: string, over: Record<string, unknown> = {}) => ({
  id: `id-${upn.split('@')[0]}`,
  upn,
  displayName: `Name of ${upn}`,
  roles: ['AppUser'],
  signInEnabled: true,
  ...over,
})

/** The answer of GET /v1/users/{id}/licenses. */
export const licensesOf = (upn: string, items: unknown[] = []) => ({userId: user(upn).id, upn, items, nextCursor: null})

/** What a terminal would act on: C0 (but tab and LF), DEL, C1, and the bidi controls. */
export const TERMINAL_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/
/** An OSC 52 (clipboard write) and a right-to-left override: text from the platform that must not reach a terminal raw. */
export const EVIL = 'Bad\u001b]52;c;aGk=\u0007\u202etxt.exe'

const ajv = new Ajv2020({allErrors: true, strict: true})
const schemas = new Map<string, ValidateFunction>()

/** Checks a --json document against the committed schema (schemas/<name>.json). */
export function expectSchema(value: unknown, name: string): void {
  let validate = schemas.get(name)
  if (!validate) schemas.set(name, (validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas', `${name}.json`), 'utf8')))))
  expect(validate(value), `${name}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value)}`).to.equal(true)
}

/** Writes a CSV file in the test's temp folder and returns its path. */
export function csvFile(dir: string, text: string, name = 'users.csv'): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}
