// route diagnose for people: the header, the hops, the verdict — every value from the diagnosis sanitized by the renderers.
import {renderHopList} from '../output/hops.js'
import {lines, text, type Rendered} from '../output/render.js'
import type {RouteDiagnosis} from './diagnose.js'

export function renderDiagnosis(diagnosis: RouteDiagnosis): Rendered {
  return lines(
    text`Route diagnosis for ${diagnosis.tenant} (profile ${diagnosis.profile}), ${diagnosis.totalMs} ms`,
    renderHopList(diagnosis.hops),
    text`Verdict: ${diagnosis.summary}`,
  )
}
