#!/usr/bin/env node
// Writes schemas/<topic>-<verb>.json, the JSON Schema of every command's --json output, from its TypeScript result type.
//
// The convention (new commands follow it; test/schemas/schemas.test.ts and this script enforce it):
//   src/commands/<topic>/<verb>.ts exports a type named after the command id in PascalCase:
//   - `<Id>Result`: the one JSON document --json prints (for `sandbox sp create`: SandboxSpCreateResult), usually
//     what run() returns; a type declared elsewhere is re-exported (`export type {ConfigGetResult}`);
//   - or `<Id>JsonLine` when --json prints NDJSON (audit watch): the value of one line. Its schema says so in
//     "$comment" ("NDJSON: …"), and test/helpers/command-schema.ts validates each line.
//   Lists are {count, items} (plus paging fields where a command exposes them); fields documented in JSDoc get a
//   "description" (and @minimum, @pattern … their keywords).
// Every command id in oclif.manifest.json that has --json gets a schema (run `oclif manifest` first: `npm run build` does both);
// schema files of commands that no longer exist are removed. schemas/error.json (the --json error document of every
// command) is written by hand and left alone. One TypeScript program serves every command (a few seconds).
// Besides the commands: schemas/dlp-policies.json, the schema of the policies-as-code file (`dlp export`, `dlp validate`),
// from the type DlpPoliciesFile of src/lib/dlp/policy-file.ts (FILE_SCHEMAS).
// `npm run schemas` runs this; scripts/check-generated.js fails CI when the committed schemas are stale.
import {readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'

const require = createRequire(import.meta.url)
const tsj = require('ts-json-schema-generator')
const ts = require('typescript')

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SCHEMAS = `${ROOT}schemas/`
/** Schemas that no command type generates. */
const HAND_WRITTEN = new Set(['error.json'])
const NDJSON_COMMENT = 'NDJSON: every line on stdout is one value of this schema.'
/** Schemas of files ppctl reads and writes: file → {source, type, title}. */
const FILE_SCHEMAS = {
  'dlp-policies.json': {source: 'src/lib/dlp/policy-file.ts', type: 'DlpPoliciesFile', title: 'ppctl DLP policies (dlp export, validate, plan, apply)'},
}

/** `sandbox:sp:create` → `SandboxSpCreate`. */
const typeBase = (id) =>
  id
    .split(/[:-]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('')

/** Every command that has --json (all but the hidden `__complete`, whose answer is for a shell). */
const commandIds = () =>
  Object.entries(JSON.parse(readFileSync(`${ROOT}oclif.manifest.json`, 'utf8')).commands)
    .filter(([, command]) => command.flags?.json)
    .map(([id]) => id)
    .sort()
const sourceOf = (id) => `${ROOT}src/commands/${id.replaceAll(':', '/')}.ts`
const schemaFile = (id) => `${id.replaceAll(':', '-')}.json`

/** draft-07 as the generator writes it → 2020-12 like error.json (definitions → $defs), with an $id and a title. */
function finish(id, schema, ndjson) {
  const {$schema: _draft, definitions, ...rest} = schema
  const out = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://ppctl.example/schemas/${schemaFile(id)}`,
    title: `ppctl ${id.replaceAll(':', ' ')} --json`,
    ...(ndjson ? {$comment: NDJSON_COMMENT} : {}),
    ...rest,
    ...(definitions && Object.keys(definitions).length > 0 ? {$defs: definitions} : {}),
  }
  return JSON.parse(JSON.stringify(out).replaceAll('"#/definitions/', '"#/$defs/'))
}

/** {file → schema} for every command of the manifest; throws one error naming every command that breaks the convention. */
function generateSchemas() {
  const ids = commandIds()
  const config = {
    tsconfig: `${ROOT}tsconfig.build.json`,
    // npm run typecheck checks the types; here they are only read.
    skipTypeCheck: true,
    topRef: false,
    expose: 'export',
    jsDoc: 'extended',
    additionalProperties: false,
    sortProps: false,
  }
  const options = tsj.createProgram({...config, path: sourceOf(ids[0])}).getCompilerOptions()
  const program = ts.createProgram([...ids.map(sourceOf), ...Object.values(FILE_SCHEMAS).map((f) => ROOT + f.source)], options)
  const checker = program.getTypeChecker()
  const generator = new tsj.SchemaGenerator(program, tsj.createParser(program, config), tsj.createFormatter(config), config)
  const problems = []
  const schemas = {}
  for (const id of ids) {
    const file = sourceOf(id)
    const source = program.getSourceFile(file)
    if (!source) {
      problems.push(`${id}: no ${file.slice(ROOT.length)} (commands live in src/commands/<topic>/<verb>.ts)`)
      continue
    }
    const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(source))
    const names = [`${typeBase(id)}Result`, `${typeBase(id)}JsonLine`]
    const found = exported.filter((s) => names.includes(s.name))
    if (found.length !== 1) {
      problems.push(
        `${id}: ${file.slice(ROOT.length)} must export exactly one of the types ${names.join(', ')} (the shape of its --json output); it exports ${found.length}`,
      )
      continue
    }
    let symbol = found[0]
    if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol)
    const node = symbol.declarations?.find((d) => ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d))
    if (!node) {
      problems.push(`${id}: ${found[0].name} is not an interface or a type alias`)
      continue
    }
    try {
      schemas[schemaFile(id)] = finish(id, generator.createSchemaFromNodes([node]), found[0].name.endsWith('JsonLine'))
    } catch (err) {
      problems.push(`${id}: ${found[0].name}: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  for (const [file, {source, type, title}] of Object.entries(FILE_SCHEMAS)) {
    const node = program
      .getSourceFile(ROOT + source)
      ?.statements.find((s) => (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) && s.name.text === type)
    if (!node) {
      problems.push(`${file}: ${source} declares no ${type}`)
      continue
    }
    const {$schema: _draft, definitions, ...rest} = generator.createSchemaFromNodes([node])
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: `https://ppctl.example/schemas/${file}`,
      title,
      ...rest,
      ...(definitions && Object.keys(definitions).length > 0 ? {$defs: definitions} : {}),
    }
    schemas[file] = JSON.parse(JSON.stringify(schema).replaceAll('"#/definitions/', '"#/$defs/'))
  }
  if (problems.length > 0) throw new Error(`Cannot generate the command schemas:\n  ${problems.join('\n  ')}`)
  return schemas
}

/** Writes the schemas, removes those of commands that are gone; returns the files written. */
function writeSchemas() {
  const schemas = generateSchemas()
  for (const [file, schema] of Object.entries(schemas)) writeFileSync(SCHEMAS + file, JSON.stringify(schema, null, 2) + '\n')
  for (const file of readdirSync(SCHEMAS)) {
    if (file.endsWith('.json') && !HAND_WRITTEN.has(file) && !(file in schemas)) rmSync(SCHEMAS + file)
  }
  return Object.keys(schemas)
}

try {
  const files = writeSchemas()
  console.log(`Wrote ${files.length} command schemas to schemas/`)
} catch (err) {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
}
