// Synthetic audit events for the benchmarks that seed a cluster store directly (bench/platform.js, bench/audit.js).
export function syntheticEvents(from, count) {
  return Array.from({length: count}, (_, i) => ({
    action: (from + i) % 5 === 0 ? 'signin' : 'token.issued',
    result: 'succeeded',
    actor: {type: 'user', id: 'c0000000-0000-4000-8000-000000000001', upn: 'admin@contoso.example'},
    target: {type: 'client', id: 'ppctl'},
    clientIp: '127.0.0.1',
    userAgent: 'ppctl/0.1.0 node/20',
    correlationId: `bench-${from + i}`,
    details: {grantType: 'device_code'},
  }))
}
