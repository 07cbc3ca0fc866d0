// The human form of a plan and of an apply: one row per change, then the flows suspended or resumed.
import {text, type Rendered} from '../output/render.js'
import type {Section, View} from '../output/view.js'
import type {FlowImpact} from '../platform/dlp.js'
import type {PolicyChange} from './plan.js'
import type {PlannedPolicy} from './workflow.js'

const changeText = (c: PolicyChange): string => {
  switch (c.kind) {
    case 'name':
      return `name: ${c.from} → ${c.to}`
    case 'description':
      return `description: ${c.from || '(none)'} → ${c.to || '(none)'}`
    case 'scope':
      return `scope: ${c.from} → ${c.to}`
    case 'default-group':
      return `default group: ${c.from} → ${c.to}`
    case 'connector':
      return `${c.connector}: ${c.from === 'default' ? 'not listed' : c.from} → ${c.to === 'default' ? 'not listed' : c.to}`
    case 'rules':
      return `${c.connector} rules: ${c.from} → ${c.to}`
    case 'url-patterns':
      return `URL patterns: ${c.from} → ${c.to}`
  }
}

const impactSection = (suspended: readonly FlowImpact[], resumed: readonly FlowImpact[]): Section => ({
  kind: 'table',
  columns: ['Flow', {header: 'Name', free: true}, 'Environment', 'Owner', 'Effect', {header: 'Why', free: true}],
  rows: [
    ...suspended.map((f) => [f.id, f.displayName, f.environmentId, f.ownerUpn, 'suspended', f.message ?? f.policyName ?? '']),
    ...resumed.map((f) => [f.id, f.displayName, f.environmentId, f.ownerUpn, 'resumed', '']),
  ],
})

/** Counts for the footer: "1 to create, 2 to change, 0 to delete; 3 flows suspended, 0 resumed". */
export function planSummary(policies: readonly PlannedPolicy[], suspended: number, resumed: number, tense: 'would' | 'did'): Rendered {
  const n = (a: PlannedPolicy['action']) => policies.filter((p) => p.action === a).length
  const verb = tense === 'would' ? 'would be' : 'were'
  return tense === 'would'
    ? text`Plan: ${n('create')} to create, ${n('update')} to change, ${n('delete')} to delete; ${suspended} flow${suspended === 1 ? '' : 's'} ${verb} suspended, ${resumed} resumed.`
    : text`Applied: ${n('create')} created, ${n('update')} changed, ${n('delete')} deleted; ${suspended} flow${suspended === 1 ? '' : 's'} ${verb} suspended, ${resumed} resumed.`
}

/** The plan's view: the changes, and the impact when a flow is affected. */
export function planView(policies: readonly PlannedPolicy[], suspended: readonly FlowImpact[], resumed: readonly FlowImpact[], footer: Rendered): View {
  const rows = policies.flatMap((p) => {
    const action = p.action === 'update' && p.stale ? 'update (stale)' : p.action
    const details = p.changes.length ? p.changes.map(changeText) : [p.action === 'delete' ? 'not in the file' : '']
    return details.map((d) => [action, p.name, p.id ?? '(new)', d])
  })
  const sections: Section[] = [{kind: 'table', columns: ['Action', {header: 'Policy', free: true}, 'Id', {header: 'Change', free: true}], rows, wrap: true}]
  if (suspended.length || resumed.length) sections.push(impactSection(suspended, resumed))
  return {sections, footer, empty: text`Nothing to do: the platform's policies are those of the file.`}
}
