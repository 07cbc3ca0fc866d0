// The baseline of bench/warm.js: one HTTPS GET with node:https alone (the limit for a Node program), to the endpoint a
// warm command calls, with the same CA file and token. The token comes in the environment (never argv); the body is
// read to its end and dropped.
import {readFileSync} from 'node:fs'
import {lookup as dnsLookup} from 'node:dns'
import {request} from 'node:https'

const {ONE_REQUEST_URL: url, ONE_REQUEST_CA_FILE: caFile, ONE_REQUEST_TOKEN: token} = process.env
// *.localhost is loopback (RFC 6761), as ppctl's own lookup has it (src/lib/http/localhost-lookup.ts).
const lookup = (hostname, options, callback) =>
  hostname === 'localhost' || hostname.endsWith('.localhost')
    ? options.all
      ? callback(null, [{address: '127.0.0.1', family: 4}])
      : callback(null, '127.0.0.1', 4)
    : dnsLookup(hostname, options, callback)
const req = request(url, {ca: caFile ? readFileSync(caFile) : undefined, lookup, headers: {authorization: `Bearer ${token}`}}, (res) => {
  res.resume()
  res.on('end', () => {
    if (res.statusCode !== 200) process.exitCode = 1
  })
})
req.on('error', (err) => {
  console.error(err.message)
  process.exitCode = 1
})
req.end()
