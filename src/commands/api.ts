import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {UsageError} from '../lib/errors/index.js'
import {lines, text} from '../lib/output/render.js'
import {API_ENDPOINTS, type ApiEndpoint} from '../lib/platform/endpoints.generated.js'
import {
  callApi,
  checkApiPath,
  methodAndPath,
  paginate,
  parseFields,
  parseHeaders,
  readInput,
  renderStatusAndHeaders,
  withQuery,
  writeBody,
  writeLine,
  type Field,
  type RawCall,
} from '../lib/platform/raw-api.js'

const endpointList = (target: ApiEndpoint['target']) =>
  API_ENDPOINTS.filter((e) => e.target === target)
    .map((e) => `  ${e.method.padEnd(7)} ${e.path.padEnd(38)} ${e.summary}`)
    .join('\n')

/** The answer's body as the platform sent it (parsed JSON, or text), null for none; with --paginate, every page's items. */
export type ApiResult = unknown

export default class Api extends BaseCommand<typeof Api> {
  static override summary = "Call the platform API directly: the tenant's home cluster (or --global), with the profile's token, routing and retries."
  static override description = `A raw request with everything the other commands have: the profile's token (never a header of yours), the route to the home cluster and the cluster allow-list, retries with Retry-After, re-resolution after 421, a correlation id, and --debug with secrets redacted. PATH is relative to the home cluster (/v1/connectors); URLs and paths that leave it (.., //host) are refused.

METHOD is GET, or POST when a body is given (GET still with --paginate). -F key=value builds a JSON body (true, false, null and numbers typed, like gh api), -f key=value the same with every value a string; for GET the fields go into the query string. --input FILE (or - for stdin) sends a JSON document instead. -H 'Name: value' adds a header (If-Match for ETags, Idempotency-Key so a POST may be retried); Authorization, Host and hop-by-hop headers are refused.

The answer's body goes to stdout: JSON indented at a terminal and as one exact line in a pipe (the same value under --json); a text answer (the audit event stream) as it is. -i prints the status line and the headers to stderr first, so stdout stays the body. --paginate follows nextCursor (passed back as cursor, the rest of the query kept: limit sets the page size) and prints every item as one JSON array, or one per line with --ndjson.

An error answer exits with the code of its status — 400/422 → 2, 401 → 4, 403 → 5, 404 → 6, 409/412/428 → 7, 421 → 8, 429/5xx after the retries → 9 — and prints the platform's code, detail and correlation id.

Endpoints of the home cluster (from docs/openapi.yaml):
${endpointList('cluster')}

Endpoints of the global service (--global):
${endpointList('global')}`

  static override usage = '<%= command.id %> [METHOD] PATH [FLAGS]'

  static override examples = [
    {description: "The tenant's connectors, one page", command: '<%= config.bin %> <%= command.id %> /v1/connectors'},
    {
      description: 'Every connector, paged 50 at a time, one per line',
      command: '<%= config.bin %> <%= command.id %> /v1/connectors -f limit=50 --paginate --ndjson',
    },
    {
      description: 'Block a connector, guarded by its ETag',
      command: `<%= config.bin %> <%= command.id %> POST /v1/connectors/shared_twitter/block -H 'If-Match: "3"'`,
    },
    {
      description: 'Create a custom connector from fields',
      command: '<%= config.bin %> <%= command.id %> /v1/connectors -f displayName=Orders -f description="Order API"',
    },
    {
      description: 'A body from stdin',
      command: `echo '{"userId":"…","connectorId":"shared_sql"}' | <%= config.bin %> <%= command.id %> /v1/access-checks --input -`,
    },
    {description: "Another tenant's route (Support role)", command: '<%= config.bin %> <%= command.id %> --global /v1/tenants/fabrikam/home'},
    {description: "Another tenant's cluster health (Support role)", command: '<%= config.bin %> <%= command.id %> /v1/health --tenant fabrikam -i'},
  ]

  // ignoreStdin: oclif would otherwise read stdin into a missing argument (the PATH of `ppctl api PATH`), eating the --input - body.
  static override args = {
    method: Args.string({
      ignoreStdin: true,
      description: 'GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS (default GET, or POST with a body); or the path, when it is the only argument.',
    }),
    path: Args.string({ignoreStdin: true, description: 'The path and query under the API, e.g. /v1/users?limit=10.'}),
  }

  static override flags = {
    field: Flags.string({char: 'F', description: 'A body field, key=value: true, false, null and numbers as JSON values (repeatable).', multiple: true}),
    'raw-field': Flags.string({char: 'f', description: 'A body field, key=value, the value always a string (repeatable).', multiple: true}),
    input: Flags.string({description: 'The body: a JSON file, or - for stdin.', exclusive: ['field', 'raw-field']}),
    header: Flags.string({char: 'H', description: "An extra header, 'Name: value' (repeatable; not Authorization or Host).", multiple: true}),
    include: Flags.boolean({char: 'i', description: 'Print the status line and the response headers to stderr.'}),
    paginate: Flags.boolean({description: 'Follow nextCursor and print every item of every page as one JSON array.'}),
    ndjson: Flags.boolean({description: 'With --paginate: one item per line, as the pages arrive.', dependsOn: ['paginate']}),
    global: Flags.boolean({description: 'Call the global service instead of the home cluster.', exclusive: ['tenant']}),
    tenant: Flags.string({description: "Call this tenant's home cluster (id or name; other tenants need the Support role)."}),
  }

  async run(): Promise<ApiResult> {
    const {flags, args} = this
    const fields: Field[] = [...(flags['raw-field'] ?? []).map((raw) => ({raw, typed: false})), ...(flags.field ?? []).map((raw) => ({raw, typed: true}))]
    const hasBody = fields.length > 0 || flags.input !== undefined
    // --paginate reads pages: its fields are the query (limit), so it stays a GET.
    const {method, path: given} = methodAndPath(args.method, args.path, hasBody && !flags.paginate)
    let path = checkApiPath(given)
    const headers = parseHeaders(flags.header ?? [])
    let body: unknown
    if (method === 'GET' || method === 'HEAD') {
      if (flags.input !== undefined) {
        throw new UsageError('API_BODY_INVALID', `${method} requests carry no body: --input cannot be used.`, {nextStep: 'Give POST, PUT or PATCH as METHOD.'})
      }
      path = withQuery(path, parseFields(fields))
    } else if (flags.input !== undefined) body = await readInput(this.ctx, flags.input)
    else if (fields.length > 0) body = parseFields(fields)
    const call: RawCall = {method, path, body, headers, tenant: flags.tenant, global: flags.global}

    if (flags.paginate) {
      if (method !== 'GET') throw new UsageError('USAGE', '--paginate follows the pages of a GET request.', {nextStep: 'Drop --paginate, or use GET.'})
      const streaming = flags.ndjson && !this.jsonEnabled()
      const items: unknown[] = []
      await paginate(
        this.ctx,
        call,
        (item) => (streaming ? writeLine(this.ctx, item) : items.push(item)),
        (response) => flags.include && this.note(lines(...renderStatusAndHeaders(response))),
      )
      if (!streaming && !this.jsonEnabled()) writeBody(this.ctx, items)
      return items
    }

    const response = await callApi(this.ctx, call)
    if (flags.include) this.note(lines(...renderStatusAndHeaders(response), text``))
    if (!this.jsonEnabled()) writeBody(this.ctx, response.body)
    return response.body ?? null
  }
}
