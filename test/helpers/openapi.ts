// Checks real responses against docs/openapi.yaml: the documented schema of (method, path template, status, media type).
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {parseYaml} from '@redocly/openapi-core'
import {Ajv2020, type ErrorObject, type ValidateFunction} from 'ajv/dist/2020.js'

import {ROOT} from './cli.js'

export const OPENAPI_FILE = join(ROOT, 'docs', 'openapi.yaml')
const DOC_ID = 'https://ppctl.invalid/openapi.json'

type Json = Record<string, unknown>

let cached: {doc: Json; ajv: Ajv2020} | undefined

/** The parsed document, and an Ajv (JSON Schema 2020-12, OpenAPI 3.1's dialect) that resolves its $refs. */
export function openApi(): {doc: Json; ajv: Ajv2020} {
  if (cached) return cached
  const doc = parseYaml(readFileSync(OPENAPI_FILE, 'utf8')) as Json
  const ajv = new Ajv2020({strict: false, allErrors: true, validateSchema: false})
  // Formats by hand: ajv-formats is not a dependency, and these three are all the document uses.
  ajv.addFormat('date-time', (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)))
  ajv.addFormat('uri', (s: string) => URL.canParse(s))
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i)
  ajv.addSchema({...doc, $id: DOC_ID})
  cached = {doc, ajv}
  return cached
}

const pointer = (...parts: string[]) => '#/' + parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')

function resolve(doc: Json, node: unknown): Json {
  let current = node as Json
  for (let i = 0; i < 10 && current && typeof current.$ref === 'string'; i++) {
    const ref = (current.$ref as string)
      .slice(2)
      .split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    current = ref.reduce<unknown>((o, k) => (o as Json)[k], doc) as Json
  }
  return current
}

const validators = new Map<string, ValidateFunction>()

/** The validator of a schema inside the document, by JSON pointer (its $refs resolve against the document). */
export function schemaValidator(schemaPointer: string): ValidateFunction {
  const {ajv} = openApi()
  let v = validators.get(schemaPointer)
  if (!v) {
    v = ajv.compile({$ref: `${DOC_ID}${schemaPointer}`})
    validators.set(schemaPointer, v)
  }
  return v
}

/** The JSON pointer of the documented schema of a response, with the resolved response's $ref followed. */
function responseSchemaPointer(method: string, pathTemplate: string, status: number, mediaType = 'application/json'): string {
  const {doc} = openApi()
  const paths = doc.paths as Record<string, Json>
  const item = paths[pathTemplate]
  if (!item) throw new Error(`openapi: no path ${pathTemplate}`)
  const operation = item[method.toLowerCase()] as Json | undefined
  if (!operation) throw new Error(`openapi: no ${method.toUpperCase()} ${pathTemplate}`)
  const responses = operation.responses as Json
  const raw = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default
  if (!raw) throw new Error(`openapi: ${method.toUpperCase()} ${pathTemplate} documents no ${status} response (has ${Object.keys(responses).join(', ')})`)
  const rawRef = (raw as Json).$ref as string | undefined
  const base = rawRef
    ? rawRef
        .slice(2)
        .split('/')
        .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    : ['paths', pathTemplate, method.toLowerCase(), 'responses', String(status)]
  const response = resolve(doc, raw)
  const content = (response.content ?? {}) as Record<string, Json>
  if (!content[mediaType])
    throw new Error(`openapi: ${method.toUpperCase()} ${pathTemplate} ${status} has no ${mediaType} content (has ${Object.keys(content).join(', ') || 'none'})`)
  return pointer(...base, 'content', mediaType, 'schema')
}

export function formatErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => `${e.instancePath || '/'} ${e.message}${e.params && Object.keys(e.params).length ? ' ' + JSON.stringify(e.params) : ''}`)
    .join('; ')
}

/**
 * Throws unless `body` matches the schema the document gives for this response. Problems (4xx/5xx) are checked
 * as application/problem+json, everything else as application/json unless `mediaType` says otherwise.
 */
export function assertMatchesOpenApi(method: string, pathTemplate: string, status: number, body: unknown, mediaType?: string): void {
  const type = mediaType ?? (status >= 400 ? 'application/problem+json' : 'application/json')
  const validate = schemaValidator(responseSchemaPointer(method, pathTemplate, status, type))
  if (!validate(body)) {
    throw new Error(
      `${method.toUpperCase()} ${pathTemplate} ${status} does not match docs/openapi.yaml: ${formatErrors(validate.errors)}\n${JSON.stringify(body).slice(0, 2000)}`,
    )
  }
}
