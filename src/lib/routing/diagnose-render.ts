// route diagnose for people: the header, the hops, the verdict — every value from the diagnosis sanitized by the renderers, every line fitted to the terminal.
import type {IO} from '../io/io.js'
import {renderHopList, renderVerdict, renderWrapped} from '../output/hops.js'
import {lines, type Rendered} from '../output/render.js'
import type {RouteDiagnosis} from './diagnose.js'

export function renderDiagnosis(diagnosis: RouteDiagnosis, io: Pick<IO, 'columns' | 'color'>): Rendered {
  // The name a support engineer knows the tenant by, with the id the platform goes by.
  const name = diagnosis.route?.tenantName
  const tenant = name && name !== diagnosis.tenant ? `${name} (${diagnosis.tenant})` : diagnosis.tenant
  return lines(
    renderWrapped('Route diagnosis for ', `${tenant}, profile ${diagnosis.profile}, ${diagnosis.totalMs} ms`, 2, io.columns),
    renderHopList(diagnosis.hops, io),
    renderVerdict(diagnosis.summary, io),
  )
}
