import {BaseCommand} from '../../cli/base-command.js'
import {ifMatchFlag} from '../../cli/key-change.js'
import {keyView} from '../../cli/key-view.js'
import {text} from '../../lib/output/render.js'
import {changeTenantKey, getTenantKey, type TenantKey} from '../../lib/platform/keys.js'

export type KeysUnlockResult = TenantKey

export default class KeysUnlock extends BaseCommand<typeof KeysUnlock> {
  static override summary = "Unlock the tenant's key: the tenant comes back online with all its data."
  static override description =
    "Each cluster reads the tenant's data again from its encrypted files; nothing is lost. Unlocking an active tenant changes nothing. Audited (tenant.key_unlocked). Needs the Admin role (exit 5 otherwise)."

  static override examples = [
    {description: 'Unlock', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'For a script', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  static override flags = {
    'if-match': ifMatchFlag,
  }

  async run(): Promise<KeysUnlockResult> {
    const before = this.flags['if-match'] ? undefined : await getTenantKey(this.ctx)
    if (before && before.state === 'active') {
      this.note(text`The key of ${before.displayName} is not locked; nothing changed.`)
      this.view(keyView(before))
      return before
    }
    const key = await changeTenantKey(this.ctx, 'unlock', this.flags['if-match'] ?? before!.etag)
    this.note(text`Unlocked the key of ${key.displayName}: the tenant is online again.`)
    this.view(keyView(key))
    return key
  }
}
