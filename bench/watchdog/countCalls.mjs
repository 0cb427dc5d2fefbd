// Preload: counts calls into vm contexts that pass a `timeout` (each starts a watchdog thread), per thread.

import { writeFileSync } from 'node:fs';
import vm from 'node:vm';
import { isMainThread, threadId } from 'node:worker_threads';

let withTimeout = 0,
  without = 0;
const original = vm.Script.prototype.runInContext;
vm.Script.prototype.runInContext = function (context, options) {
  if (options?.timeout) withTimeout++;
  else without++;
  return original.call(this, context, options);
};
const dump = () =>
  writeFileSync(
    `${process.env.WATCHDOG_COUNT_DIR ?? '/tmp'}/vm-calls-${process.pid}-${threadId}.json`,
    JSON.stringify({ isMainThread, withTimeout, without }),
  );
setInterval(dump, 1000).unref();
process.on('exit', dump);
