// What a 404 means for each kind of thing a person names, and where to look for the right one.
import type {NotFoundHint} from './client.js'

/** A --search that finds it when the word is safe to show in a command line; otherwise the plain list command. */
const lookFor = (list: string, id: string, search = id) =>
  /^[\w.@+-]{1,64}$/.test(search) ? `See the matches: ${list} --search ${search}` : `See them all: ${list}`

export const connectorNotFound = (id: string): NotFoundHint => ({kind: 'connector', id, nextStep: lookFor('ppctl connector list', id)})
export const userNotFound = (upn: string): NotFoundHint => ({kind: 'user', id: upn, nextStep: lookFor('ppctl user list', upn, upn.split('@')[0])})
export const skuNotFound = (id: string): NotFoundHint => ({kind: 'license SKU', id, nextStep: 'See the SKUs: ppctl license list'})
