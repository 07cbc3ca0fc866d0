#!/usr/bin/env node
// The production entry point: runs the compiled commands from dist/ with the manifest.
import {execute} from '@oclif/core'

await execute({dir: import.meta.url})
