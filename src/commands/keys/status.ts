import {BaseCommand} from '../../cli/base-command.js'
import {keyView} from '../../cli/key-view.js'
import {getTenantKey, type TenantKey} from '../../lib/platform/keys.js'

export type KeysStatusResult = TenantKey

export default class KeysStatus extends BaseCommand<typeof KeysStatus> {
  static override summary = "Show the tenant's data key: active or locked, its versions, the last rotation."
  static override description =
    "Tenant data is encrypted at rest with the tenant's data key, wrapped by its key-encryption key in the platform's key vault. No key material is shown. Works while the tenant is locked. A platform without encryption at rest answers exit 7 (ENCRYPTION_OFF). Needs the Admin role (exit 5 otherwise)."

  static override examples = [
    {description: "The tenant key's state", command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Is the tenant locked? (for a script)', command: '<%= config.bin %> <%= command.id %> --query state -o tsv'},
  ]

  async run(): Promise<KeysStatusResult> {
    const key = await getTenantKey(this.ctx)
    this.view(keyView(key))
    return key
  }
}
