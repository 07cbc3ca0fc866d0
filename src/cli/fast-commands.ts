// The hot commands' flags (plain data) and run bodies, shared by their oclif classes (src/commands/…) and the fast
// path (src/fast-path.ts), which runs them without loading oclif. Nothing here imports @oclif/core: a class builds
// its flags from these definitions (Flags.string(def), Flags.boolean(def)) and its run() calls the body, so there is
// one copy of each command's logic, whichever path runs it.
import type {AuthTokenResult} from '../commands/auth/token.js'
import type {ConnectorListResult} from '../commands/connector/list.js'
import type {LicenseListResult} from '../commands/license/list.js'
import type {UserListResult} from '../commands/user/list.js'
import type {Context} from '../lib/context.js'
import type {FlagDef} from '../lib/flag-defs.js'
import {text, type Rendered} from '../lib/output/render.js'
import type {View} from '../lib/output/view.js'
import type {RouteShowResult} from '../lib/routing/show.js'
import {ROUTE_SHOW_FLAGS} from '../lib/routing/show-flags.js'

/** Where a run body reports: BaseCommand's view(), out() and note(), or the fast path's equivalents. */
export interface CommandSink {
  /** Records (BaseCommand.view). */
  view(view: View): void
  /** Human output, silent in machine formats (BaseCommand.out). */
  out(content: Rendered): void
  /** A note on stderr (BaseCommand.note). */
  note(content: Rendered): void
}

type FlagValues<F extends Record<string, FlagDef>> = {
  [K in keyof F]?: F[K] extends {type: 'boolean'} ? boolean : string
}

/** A hot command: its id, its own flags (the base flags come from BaseCommand), and the body of its run(). */
export interface SharedCommand<F extends Record<string, FlagDef> = Record<string, FlagDef>, R = unknown> {
  /** The oclif command id, e.g. `connector:list`. */
  id: string
  flags: F
  run(ctx: Context, flags: FlagValues<F>, sink: CommandSink): Promise<R>
}

const shared = <F extends Record<string, FlagDef>, R>(command: SharedCommand<F, R>) => command

export const ROUTE_SHOW = shared({
  id: 'route:show',
  flags: ROUTE_SHOW_FLAGS,
  async run(ctx, flags, sink): Promise<RouteShowResult> {
    const {routeShowView, showRoute} = await import('../lib/routing/show.js')
    const result = await showRoute(ctx, {tenant: flags.tenant, refresh: flags.refresh})
    sink.view(routeShowView(result))
    return result
  },
})

export const CONNECTOR_LIST = shared({
  id: 'connector:list',
  flags: {
    tier: {type: 'option', options: ['standard', 'premium', 'custom'], description: 'Only connectors of this tier.'},
    blocked: {type: 'boolean', description: 'Only blocked connectors.', exclusive: ['allowed']},
    allowed: {type: 'boolean', description: 'Only connectors that are not blocked.', exclusive: ['blocked']},
    search: {type: 'option', description: 'Only connectors whose id or name contains this text.'},
    env: {
      type: 'option',
      description: "Only connectors usable in this environment (id or name): every standard and premium one, and that environment's custom connectors.",
    },
  },
  async run(ctx, flags, sink): Promise<ConnectorListResult> {
    const [{listConnectors}, {tableView}] = await Promise.all([import('../lib/platform/connectors.js'), import('../lib/output/view.js')])
    const items: ConnectorListResult['items'] = []
    for await (const c of listConnectors(ctx, {
      tier: flags.tier as 'standard' | 'premium' | 'custom' | undefined,
      blocked: flags.blocked ? true : flags.allowed ? false : undefined,
      search: flags.search,
      environment: flags.env,
    }))
      items.push(c)
    sink.view(
      tableView(
        ['Id', {header: 'Name', free: true}, {header: 'Publisher', free: true}, 'Tier', 'State'],
        items.map((c) => [c.id, c.displayName, c.publisher, c.tier, c.blocked ? 'blocked' : 'allowed']),
        {footer: text`${items.length} connector${items.length === 1 ? '' : 's'}`},
      ),
    )
    return {count: items.length, items}
  },
})

export const LICENSE_LIST = shared({
  id: 'license:list',
  flags: {},
  async run(ctx, _flags, sink): Promise<LicenseListResult> {
    const [{listSkus}, {tableView}] = await Promise.all([import('../lib/platform/licenses.js'), import('../lib/output/view.js')])
    const items = await listSkus(ctx)
    sink.view(
      tableView(
        ['Part number', {header: 'Name', free: true}, {header: 'Grants', free: true}, 'Enabled', 'Consumed', 'Available'],
        items.map((s) => [s.id, s.displayName, s.capabilities.join(', '), s.seats.enabled, s.seats.consumed, s.seats.available]),
      ),
    )
    return {count: items.length, items}
  },
})

export const USER_LIST = shared({
  id: 'user:list',
  flags: {
    search: {type: 'option', description: 'Only users whose UPN or display name contains this text.'},
  },
  async run(ctx, flags, sink): Promise<UserListResult> {
    const [{listUsers}, {tableView}] = await Promise.all([import('../lib/platform/users.js'), import('../lib/output/view.js')])
    const items: UserListResult['items'] = []
    for await (const u of listUsers(ctx, {search: flags.search})) items.push(u)
    sink.view(
      tableView(
        ['UPN', {header: 'Name', free: true}, {header: 'Roles', free: true}, 'Sign-in'],
        items.map((u) => [u.upn, u.displayName, u.roles.join(', '), u.signInEnabled ? 'yes' : 'no']),
        {footer: text`${items.length} user${items.length === 1 ? '' : 's'}`},
      ),
    )
    return {count: items.length, items}
  },
})

export const AUTH_TOKEN = shared({
  id: 'auth:token',
  flags: {
    'force-refresh': {type: 'boolean', description: 'Renew the token even when the cached one is still fresh.'},
  },
  async run(ctx, flags, sink): Promise<AuthTokenResult> {
    const token = await ctx.tokens().get({forceRefresh: flags['force-refresh']})
    sink.out(text`${token.token}`)
    // The key never leaves the credential store, so no other program can use this token: say so instead of a curl failing.
    if (token.dpop)
      sink.note(text`Note: this token is DPoP-bound: the platform refuses it without a proof signed by the profile's key. Call the API with: ppctl api`)
    return {accessToken: token.token, tokenType: token.dpop ? 'DPoP' : 'Bearer', expiresAt: new Date(token.expiresAt).toISOString(), profile: token.profile}
  },
})

/** Every command the fast path runs without oclif. */
export const SHARED_COMMANDS: readonly SharedCommand[] = [ROUTE_SHOW, CONNECTOR_LIST, LICENSE_LIST, USER_LIST, AUTH_TOKEN] as never
