#!/usr/bin/env node
// Benchmark of the DLP evaluation (src/sandbox/dlp/evaluate.ts): one flow checked against 50 policies of 1,000
// connectors each, every policy applying to the flow's environment. Policies are compiled once (as the platform keeps
// them between requests); each evaluation is timed on its own and the median is printed, with the bound of 1 ms.
// Runs the built code (dist/): `npm run build:ts && node bench/dlp-eval.js [--policies 50] [--connectors 1000] [--runs 5000]`.
// Exits 1 when the median is over the bound.
import {parseArgs} from 'node:util'

import {compilePolicy, evaluate} from '../dist/sandbox/dlp/evaluate.js'

const {values: opts} = parseArgs({
  options: {
    policies: {type: 'string', default: '50'},
    connectors: {type: 'string', default: '1000'},
    runs: {type: 'string', default: '5000'},
    flow: {type: 'string', default: '12'},
  },
})
const POLICIES = Number(opts.policies)
const CONNECTORS = Number(opts.connectors)
const RUNS = Number(opts.runs)
const FLOW = Number(opts.flow)
const BOUND_MS = 1

const ids = Array.from({length: CONNECTORS}, (_, i) => `shared_c${String(i).padStart(4, '0')}`)
const catalog = new Map(ids.map((id, i) => [id, {id, displayName: `Connector ${i}`, tier: i % 3 === 0 ? 'premium' : 'standard', unblockable: i < 4}]))
catalog.set('custom_api', {
  id: 'custom_api',
  displayName: 'Custom API',
  tier: 'custom',
  unblockable: false,
  hostUrl: 'https://api.contoso.example',
  environmentId: 'prod',
})

/** Policy p lists every connector: the flow's ones in business, the rest split across the three groups. */
function makePolicy(p, flowIds) {
  const inFlow = new Set(flowIds)
  const groups = {business: [...flowIds], nonBusiness: [], blocked: []}
  ids.forEach((id, i) => {
    if (inFlow.has(id)) return
    if (i < 4 || (i + p) % 3 === 0) groups.nonBusiness.push(id)
    else if ((i + p) % 3 === 1) groups.business.push(id)
    else groups.blocked.push(id)
  })
  return {
    id: `policy-${p}`,
    displayName: `Policy ${p}`,
    description: '',
    managed: false,
    environmentScope: p % 2 === 0 ? 'all' : 'except',
    environments: p % 2 === 0 ? [] : ['dev'],
    defaultGroup: 'nonBusiness',
    groups,
    connectorRules: flowIds.slice(0, 3).map((connectorId, k) => ({
      connectorId,
      defaultActionBehavior: 'allow',
      actionRules: Array.from({length: 20}, (_, a) => ({actionId: `Action${a}`, behavior: a % 2 === 0 ? 'allow' : 'block'})),
      ...(k === 0
        ? {
            endpointRules: [
              ...Array.from({length: 20}, (_, e) => ({order: e + 1, endpoint: `https://*.region${e}.contoso.example/*`, behavior: 'allow'})),
              {order: 21, endpoint: 'https://*.contoso.example/*', behavior: 'allow'},
              {order: 22, endpoint: '*', behavior: 'deny'},
            ],
          }
        : {}),
    })),
    customConnectorUrlPatterns: [
      ...Array.from({length: 10}, (_, u) => ({order: u + 1, hostUrlPattern: `https://*.partner${u}.example`, dataGroup: 'nonBusiness'})),
      {order: 11, hostUrlPattern: 'https://*.contoso.example', dataGroup: 'business'},
      {order: 12, hostUrlPattern: '*', dataGroup: 'ignore'},
    ],
    createdBy: 'bench',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedBy: 'bench',
    updatedAt: '2026-01-01T00:00:00.000Z',
    etag: '"1"',
  }
}

const flowIds = ids.filter((_, i) => i >= 4 && i % 7 === 0).slice(0, FLOW - 1)
const flow = [
  ...flowIds.map((id, k) => ({
    id,
    ...(k < 3 ? {actions: ['Action0', 'Action2', 'Action4']} : {}),
    ...(k === 0 ? {endpoints: ['https://orders.region7.contoso.example/api', 'https://billing.contoso.example/v2']} : {}),
  })),
  {id: 'custom_api'},
]
const t0 = process.hrtime.bigint()
const policies = Array.from({length: POLICIES}, (_, p) => compilePolicy(makePolicy(p, flowIds)))
const compileMs = Number(process.hrtime.bigint() - t0) / 1e6

function measure(connectors) {
  for (let i = 0; i < 200; i++) evaluate({environmentId: 'prod', connectors}, catalog, policies)
  const times = []
  let last
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint()
    last = evaluate({environmentId: 'prod', connectors}, catalog, policies)
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  times.sort((a, b) => a - b)
  return {median: times[Math.floor(times.length / 2)], p99: times[Math.floor(times.length * 0.99)], last}
}

const allowed = measure(flow)
if (!allowed.last.allowed || allowed.last.policies.length !== POLICIES)
  throw new Error('the allowed flow was not allowed by every policy: the benchmark is wrong')
// A flow that breaks every policy (a blocked connector, a blocked action, a denied endpoint): the explanation's cost.
const blockedId = ids.find((id, i) => i >= 4 && (i + 0) % 3 === 2 && !flowIds.includes(id))
const violating = measure([{...flow[0], actions: ['Action1'], endpoints: ['https://paste.evil.example/']}, ...flow.slice(1), {id: blockedId}])
if (violating.last.allowed) throw new Error('the violating flow was allowed: the benchmark is wrong')

const fmt = (ms) => `${(ms * 1000).toFixed(1)} µs`
console.log(`DLP evaluation: one flow (${flow.length} connectors) against ${POLICIES} policies × ${CONNECTORS} connectors, ${RUNS} runs each`)
console.log(`  compile ${POLICIES} policies once: ${compileMs.toFixed(1)} ms`)
console.log(`  allowed flow:   median ${fmt(allowed.median)}  p99 ${fmt(allowed.p99)}`)
console.log(`  violating flow: median ${fmt(violating.median)}  p99 ${fmt(violating.p99)}  (${violating.last.violations.length} violations explained)`)
const worst = Math.max(allowed.median, violating.median)
console.log(`  bound: median ≤ ${BOUND_MS} ms — ${worst <= BOUND_MS ? 'met' : 'NOT met'}`)
if (worst > BOUND_MS) process.exitCode = 1
