#!/usr/bin/env node
// The production entry point: runs the compiled commands from dist/ with the manifest.
// Imports oclif's execute alone: the package index loads every module of @oclif/core (~12 ms more at start-up).
import {execute} from '@oclif/core/execute'

await execute({dir: import.meta.url})
