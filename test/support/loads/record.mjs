// Preloaded with `node --import` (through NODE_OPTIONS): appends to $ALACRITY_TEST_LOAD_LOG the
// URL of every ES module the process loads and the file of every CommonJS `require`, so a test
// sees which of the binary's chunks and which installed packages a command really loaded.
import { appendFileSync } from "node:fs";
import Module, { register } from "node:module";
import process from "node:process";

const log = process.env.ALACRITY_TEST_LOAD_LOG;
if (log) {
  register("./hooks.mjs", import.meta.url, { data: { log } });
  const load = Module._load;
  Module._load = function (request, parent, ...rest) {
    try {
      appendFileSync(log, `require ${Module._resolveFilename(request, parent)}\n`);
    } catch {
      // Not resolvable: `load` throws the real error below.
    }
    return load.call(this, request, parent, ...rest);
  };
}
