import {BaseCommand} from '../../cli/base-command.js'
import {ifMatchFlag} from '../../cli/key-change.js'
import {keyView} from '../../cli/key-view.js'
import {text} from '../../lib/output/render.js'
import {changeTenantKey, getTenantKey, type TenantKey} from '../../lib/platform/keys.js'

export type KeysRotateResult = TenantKey

export default class KeysRotate extends BaseCommand<typeof KeysRotate> {
  static override summary = "Rotate the tenant's key: a new key version, the data re-encrypted online."
  static override description =
    "The key vault makes a new key-encryption key version and a new data key, wraps every data key again and destroys the old key-encryption key; each cluster re-encrypts the tenant's data at once. Requests keep being served. Audited (tenant.key_rotated, with before/after). A locked tenant cannot be rotated (exit 7: unlock it first). Needs the Admin role (exit 5 otherwise)."

  static override examples = [
    {description: 'Rotate', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Only if nothing changed since it was read', command: '<%= config.bin %> <%= command.id %> --if-match \'"3"\' --json'},
  ]

  static override flags = {
    'if-match': ifMatchFlag,
  }

  async run(): Promise<KeysRotateResult> {
    const etag = this.flags['if-match'] ?? (await getTenantKey(this.ctx)).etag
    const key = await changeTenantKey(this.ctx, 'rotate', etag)
    this.note(text`Rotated the key of ${key.displayName}: key version ${String(key.keyVersion)}, data key version ${String(key.dataKeyVersion)}.`)
    this.view(keyView(key))
    return key
  }
}
