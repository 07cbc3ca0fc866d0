// The global service's answer: a tenant's home and secondary cluster.
export interface ClusterRef {
  clusterId: string
  region: string
  uri: string
}

export interface HomeRoute {
  tenantId: string
  tenantName?: string
  home: ClusterRef
  secondary: ClusterRef & {mode: string}
  epoch: number
  ttlSeconds: number
}

export interface ResolvedRoute {
  route: HomeRoute
  fromCache: boolean
  /** Seconds since the global service gave this answer. */
  ageSeconds: number
  expiresInSeconds: number
}
