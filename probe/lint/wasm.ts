// The linters are WebAssembly modules run once per lint. Left to itself V8 tiers a hot module up to optimized code in
// background threads: for Ruff's 10 MB module that is about 6 s of CPU for a check that takes 0.05 s. Baseline code is
// enough. Set before the modules are compiled; it only affects WebAssembly compiled after it, in this process.
import * as v8 from "v8";

let done = false;

export function baselineWasmOnly(): void {
  if (done) return;
  v8.setFlagsFromString("--no-wasm-tier-up");
  v8.setFlagsFromString("--no-wasm-dynamic-tiering");
  done = true;
}
