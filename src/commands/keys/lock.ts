import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {ifMatchFlag} from '../../cli/key-change.js'
import {keyView} from '../../cli/key-view.js'
import {CancelledError, UsageError} from '../../lib/errors/index.js'
import {text} from '../../lib/output/render.js'
import {changeTenantKey, getTenantKey, type TenantKey} from '../../lib/platform/keys.js'

export type KeysLockResult = TenantKey

export default class KeysLock extends BaseCommand<typeof KeysLock> {
  static override summary = "Lock the tenant's key: the whole tenant goes offline until it is unlocked."
  static override description =
    "Blast radius: every request for the tenant — all its environments, flows, connectors, users, licences and its audit log, for every user and app — answers 423 TENANT_LOCKED (ppctl: exit 7) until an Admin runs `ppctl keys unlock`. Its data stays on disk, encrypted, and cannot be read. At a terminal it says so and asks for the tenant's name, typed back; scripts pass --yes --confirm NAME (the name, display name or id); without a terminal it never asks. Audited (tenant.key_locked). Needs the Admin role (exit 5 otherwise); a stale --if-match → exit 7."

  static override examples = [
    {description: 'Lock (explains what goes offline, asks for the name)', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Unattended', command: '<%= config.bin %> <%= command.id %> --yes --confirm contoso'},
  ]

  static override flags = {
    yes: Flags.boolean({char: 'y', description: 'Do not ask (needs --confirm).', dependsOn: ['confirm']}),
    confirm: Flags.string({description: "The tenant's name (or display name, or id), as the confirmation a terminal would ask for.", dependsOn: ['yes']}),
    'if-match': ifMatchFlag,
  }

  async run(): Promise<KeysLockResult> {
    const key = await getTenantKey(this.ctx)
    if (key.state === 'locked') {
      this.note(text`The key of ${key.displayName} is locked already; nothing changed. Unlock it with: ppctl keys unlock`)
      this.view(keyView(key))
      return key
    }
    const matches = (answer: string) => [key.tenant, key.displayName, key.tenantId].some((n) => n.toLowerCase() === answer.trim().toLowerCase())
    if (this.flags.yes) {
      if (!matches(this.flags.confirm!))
        throw new UsageError('CONFIRMATION_MISMATCH', `--confirm "${this.flags.confirm}" is not the name of tenant ${key.tenant}; nothing was locked.`, {
          nextStep: `Pass its name: --confirm ${key.tenant}`,
        })
    } else {
      this.note(
        text`Locking the key of ${key.displayName} (${key.tenant}) takes the whole tenant offline: every request for it — all environments, flows, connectors, users, licences and the audit log — answers 423 TENANT_LOCKED until an Admin runs: ppctl keys unlock`,
      )
      const answer = await this.ctx.prompter.input(`Type the tenant's name (${key.tenant}) to lock its key:`, '--yes --confirm NAME')
      if (!matches(answer)) throw new CancelledError('CANCELLED', "The name typed is not the tenant's; nothing was locked.")
    }
    const locked = await changeTenantKey(this.ctx, 'lock', this.flags['if-match'] ?? key.etag)
    this.note(text`Locked the key of ${locked.displayName}: the tenant is offline. Bring it back with: ppctl keys unlock`)
    this.view(keyView(locked))
    return locked
  }
}
