#!/usr/bin/env -S node --import tsx
// The development entry point: runs src/ through tsx (oclif uses dist/ when a manifest exists).
import {execute} from '@oclif/core'

// The package's folder: bin/ has its own package.json (bin/run.js is CommonJS), which oclif would take for the root.
await execute({development: true, dir: new URL('..', import.meta.url).href})
