// undici parses HTTP with llhttp compiled to WebAssembly. V8 compiles it first with its baseline compiler (Liftoff)
// and then, once the parser is hot, recompiles it with its optimizing compiler (TurboFan): that recompilation of
// llhttp's one very large state-machine function needs ~35 MB of native memory for a moment, which made the peak
// memory of every command that reads a long response (`audit stream`: 125 MB instead of 92 MB). Measured with
// bench/audit, the baseline code parses as fast as the optimized code for ppctl's traffic (throughput ratio the
// same or better), so ppctl keeps the parser on the baseline tier.
import {setFlagsFromString} from 'node:v8'

let applied = false

/**
 * Turns off WebAssembly tier-up for this process. Must run before undici compiles llhttp (on its first connection);
 * these flags are read when a module is compiled, so setting them at run time is well defined. JavaScript is not affected.
 */
export function keepWasmOnBaselineTier(): void {
  if (applied) return
  applied = true
  setFlagsFromString('--no-wasm-tier-up')
  setFlagsFromString('--no-wasm-dynamic-tiering')
}
