// What the client (src/lib) may know of the local platform: wire types and seed constants — nothing that runs the server.
// Type re-exports are erased at build time, so at run time this module loads only the plain data of seed.ts.
export type {FailoverResult, ReplicationStatus} from './clusters/cluster-set.js'
export type {SeedMoreResult} from './clusters/tenant-seed.js'
export type {PlatformState} from './daemon.js'
export type {ActiveFault, FaultSpec} from './faults/fault-table.js'
export type {HealthReport} from './server.js'
export {CLI_CLIENT_ID, TENANTS} from './seed.js'

// The DLP model's wire types (docs/openapi.yaml's DlpPolicy, DlpEvaluation, …), defined with the model.
export type {DlpApplyOperation, DlpApplyResult, DlpEvaluation, DlpPolicy, DlpPolicyInput, DlpViolation, FlowImpact} from './dlp/model.js'

// The IP firewall's and the key vault's wire types, defined with their models.
export type {FirewallPolicy, FirewallSettings} from './firewall/policy.js'
export type {KeyStatus} from './keys/key-vault.js'
