// Reads ppctl's TSV output back in tests: a header line, then one record a line, fields split on tabs.

/** The records of TSV text as objects keyed by the header line's fields (the text must end with a newline). */
export function tsvRecords(text: string): Array<Record<string, string>> {
  if (!text.endsWith('\n')) throw new Error(`TSV output must end with a newline: ${JSON.stringify(text)}`)
  const [header, ...rows] = text.slice(0, -1).split('\n')
  const keys = header.split('\t')
  return rows.map((row) => {
    const fields = row.split('\t')
    if (fields.length !== keys.length) throw new Error(`TSV line with ${fields.length} fields under a header of ${keys.length}: ${JSON.stringify(row)}`)
    return Object.fromEntries(keys.map((k, i) => [k, fields[i]]))
  })
}
