// Lint rules: typescript-eslint's recommended set over src, test, bench and scripts, and the layering of src as rules.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/*
 * The forbidden arrows of docs/DESIGN.md's layers. Relative import paths depend on how deep a file sits, so each
 * rule is given per depth: `up(n)` matches a specifier that climbs n folders (../../ for n = 2). Static imports and
 * `export … from` are no-restricted-imports; dynamic import() is no-restricted-syntax (the other rule skips it).
 * One block per folder and depth, with every rule that applies there: for one file a later block's options
 * replace an earlier block's, they do not add up.
 */
const up = (n) => (n === 0 ? '\\./' : `(\\.\\./){${n}}`)
const MAX_DEPTH = 4

/** What src/lib at `depth` below it may not import: the CLI framework, src/cli, src/commands, the server. */
const libForbidden = (depth) => [
  {regex: '^@oclif/', message: 'src/lib knows no CLI framework: flags and commands live in src/cli and src/commands.'},
  {regex: `^${up(depth + 1)}(cli|commands)(/|$)`, message: 'src/lib may not import src/cli or src/commands (data flows from commands to lib).'},
  {
    regex: `^${up(depth + 1)}sandbox/(?!contract\\.js$)`,
    message: 'src/lib may import only src/sandbox/contract.ts of the local platform (wire types, seed constants).',
  },
]
/** What src/lib/credentials and src/lib/output at `depth` below them may not import: the network. */
const offlineForbidden = (depth) => [
  {regex: '^undici(/|$)', message: 'Credential stores and renderers never touch the network.'},
  {regex: `^${up(depth + 1)}http/`, message: 'Credential stores and renderers never touch the network (src/lib/http).'},
]
/** What src/sandbox at `depth` below it may not import: the client. */
const sandboxForbidden = (depth) => [
  {regex: `^${up(depth + 1)}(lib|cli|commands)(/|$)`, message: 'The local platform imports nothing of the client (src/lib, src/cli, src/commands).'},
]

const layerRules = (patterns) => ({
  'no-restricted-imports': ['error', {patterns}],
  // The same patterns for import('…'); esquery regexes cannot hold "/", so it is written \x2F.
  'no-restricted-syntax': [
    'error',
    ...patterns.map(({regex, message}) => ({
      selector: `ImportExpression[source.value=/${regex.replaceAll('/', '\\x2F')}/]`,
      message,
    })),
  ],
})

const filesAt = (dir, depth) => [`${dir}/${'*/'.repeat(depth)}*.ts`]
const layering = []
for (let depth = 0; depth <= MAX_DEPTH; depth++) {
  layering.push({files: filesAt('src/lib', depth), rules: layerRules(libForbidden(depth))})
  layering.push({files: filesAt('src/sandbox', depth), rules: layerRules(sandboxForbidden(depth))})
}
for (const dir of ['credentials', 'output']) {
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    layering.push({files: filesAt(`src/lib/${dir}`, depth), rules: layerRules([...libForbidden(depth + 1), ...offlineForbidden(depth)])})
  }
}

export default tseslint.config(
  {ignores: ['dist/**', 'node_modules/**', 'coverage/**']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
        Response: 'readonly',
        Headers: 'readonly',
        Request: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        structuredClone: 'readonly',
        queueMicrotask: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['src/commands/**/*.ts', 'src/lib/**/*.ts'],
    rules: {'no-console': 'error'},
  },
  // bin/run.js is CommonJS (bin/package.json: an ES module entry point costs every command Node's ESM loader), and
  // so is the probe the tests preload to see that no ES module was loaded.
  {
    files: ['bin/run.js', '**/*.cjs'],
    languageOptions: {sourceType: 'commonjs', globals: {require: 'readonly', __dirname: 'readonly'}},
    rules: {'@typescript-eslint/no-require-imports': 'off'},
  },
  ...layering,
)
