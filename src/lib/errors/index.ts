// The error module: the code table, typed errors and exit codes.
export * from './codes.js'
export * from './errors.js'
export * from './exit-codes.js'
