// Preloaded into every thread of the watchdog benchmark (`--import ./bench/watchdogCount.mjs`;
// worker threads inherit execArgv, so the SDK's workflow threads load it too, before tsx's hooks
// are in place there, hence plain JavaScript): counts the calls into a vm context that carry a
// `timeout` (each starts a watchdog thread) and posts the count to the main thread now and then.
// Benchmark-only; the channel name is bench/watchdog.ts's WATCHDOG_CHANNEL.
import vm from 'node:vm';
import { BroadcastChannel } from 'node:worker_threads';

const channel = new BroadcastChannel('bench-watchdog-calls');
channel.unref();
/** Calls since the last post, by the workflow module function called (the SDK's `__temporal_args`). */
let pending = new Map();
const original = vm.Script.prototype.runInContext;
vm.Script.prototype.runInContext = function runInContext(context, options) {
  if (options?.timeout !== undefined) {
    const name = String(context?.__temporal_args?.[1] ?? '(setup)');
    pending.set(name, (pending.get(name) ?? 0) + 1);
  }
  return original.call(this, context, options);
};
setInterval(() => {
  if (pending.size === 0) return;
  channel.postMessage(Object.fromEntries(pending));
  pending = new Map();
}, 100).unref();
