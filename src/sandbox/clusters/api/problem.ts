// A refusal the cluster API throws: the problem+json answer and any extra headers; the router sends it.
import type {Problem} from '../../http-util.js'

export class HttpProblem extends Error {
  constructor(
    readonly problem: Problem,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem.title)
  }
}

export const problem = (status: number, code: string, title: string, detail?: string, extra: Record<string, unknown> = {}) =>
  new HttpProblem({status, code, title, ...(detail ? {detail} : {}), ...extra})

/** 421 WRONG_CLUSTER: this cluster is not (or no longer) the tenant's active one; the answer names the active one. */
export const wrongCluster = (route: {home: string; epoch: number}, activeUri: string) =>
  new HttpProblem(
    {
      status: 421,
      code: 'WRONG_CLUSTER',
      title: "This cluster is not the tenant's active cluster",
      detail: `Send tenant requests to ${activeUri} (epoch ${route.epoch}).`,
      activeUri,
      activeClusterId: route.home,
      epoch: route.epoch,
    },
    {'x-active-cluster-uri': activeUri},
  )
