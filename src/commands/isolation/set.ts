import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {UsageError} from '../../lib/errors/index.js'
import {getIsolation, setIsolation, type AllowedTenant, type IsolationPolicy} from '../../lib/platform/isolation.js'
import {isolationView} from './show.js'

export type IsolationSetResult = IsolationPolicy

const DIRECTIONS: Record<string, Pick<AllowedTenant, 'inbound' | 'outbound'>> = {
  inbound: {inbound: true, outbound: false},
  outbound: {inbound: false, outbound: true},
  both: {inbound: true, outbound: true},
}

export default class IsolationSet extends BaseCommand<typeof IsolationSet> {
  static override summary = 'Turn tenant isolation on or off, and allow or remove partner tenants (inbound, outbound or both).'
  static override description =
    'Run `ppctl isolation report` first: it lists the connections that cross tenants today and which of them isolation would refuse. What is not given is kept. Needs the Admin role (else exit 5); a policy changed since it was read (--if-match) is exit 7.'

  static override examples = [
    {description: 'Allow Fabrikam both ways, then turn isolation on', command: '<%= config.bin %> <%= command.id %> --allow fabrikam.example:both --on'},
    {
      description: "Only this tenant's flows into a partner's accounts",
      command: '<%= config.bin %> <%= command.id %> --allow 7b2d9e44-6f3a-4c1b-8e2d-9a0f1b00fab2:outbound',
    },
    {description: 'Remove a partner', command: '<%= config.bin %> <%= command.id %> --remove fabrikam.example'},
    {description: 'Turn it off', command: '<%= config.bin %> <%= command.id %> --off'},
  ]

  static override flags = {
    on: Flags.boolean({description: 'Turn isolation on.', exclusive: ['off']}),
    off: Flags.boolean({description: 'Turn isolation off (the allowed tenants are kept).'}),
    allow: Flags.string({description: 'A partner tenant as TENANT:inbound|outbound|both (repeatable); replaces its entry.', multiple: true}),
    remove: Flags.string({description: 'A partner tenant to take off the list (repeatable).', multiple: true}),
    'if-match': Flags.string({description: "Apply only if the policy's ETag is still this one (from isolation show)."}),
  }

  async run(): Promise<IsolationSetResult> {
    const f = this.flags
    const current = await getIsolation(this.ctx)
    const byId = new Map(current.allowedTenants.map((t) => [t.tenantId, t]))
    for (const r of f.remove ?? []) byId.delete(r.toLowerCase())
    for (const a of f.allow ?? []) {
      const at = a.lastIndexOf(':')
      const tenant = at > 0 ? a.slice(0, at).trim() : ''
      const direction =
        DIRECTIONS[
          at > 0
            ? a
                .slice(at + 1)
                .trim()
                .toLowerCase()
            : ''
        ]
      if (!tenant || !direction)
        throw new UsageError('USAGE', `--allow ${a}: give TENANT:inbound, TENANT:outbound or TENANT:both.`, {nextStep: 'e.g. --allow fabrikam.example:both'})
      byId.delete(tenant.toLowerCase())
      byId.set(tenant, {tenantId: tenant, ...direction})
    }
    const p = await setIsolation(
      this.ctx,
      {enabled: f.on ? true : f.off ? false : current.enabled, allowedTenants: [...byId.values()]},
      f['if-match'] ?? current.etag,
    )
    this.view(isolationView(p))
    return p
  }
}
