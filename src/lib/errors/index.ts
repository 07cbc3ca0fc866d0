// The error module: typed errors and exit codes.
export * from './errors.js'
export * from './exit-codes.js'
