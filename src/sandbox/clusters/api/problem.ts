// A refusal the cluster API throws: the problem+json answer and any extra headers; the router sends it.
import type {Problem} from '../../http-util.js'

export class HttpProblem extends Error {
  constructor(readonly problem: Problem, readonly headers: Record<string, string> = {}) {
    super(problem.title)
  }
}

export const problem = (status: number, code: string, title: string, detail?: string, extra: Record<string, unknown> = {}) =>
  new HttpProblem({status, code, title, ...(detail ? {detail} : {}), ...extra})
