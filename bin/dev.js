#!/usr/bin/env -S node --import tsx
// The development entry point: runs src/ through tsx (oclif uses dist/ when a manifest exists).
import {execute} from '@oclif/core'

await execute({development: true, dir: import.meta.url})
