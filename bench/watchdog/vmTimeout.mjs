// Micro-benchmark: a call into a vm context with and without `timeout` (which starts a watchdog thread per call).
import vm from 'node:vm';

const context = vm.createContext({ n: 0 });
const script = new vm.Script('n++');
const N = Number(process.argv[2] ?? 20000);
function run(label, options) {
  for (let i = 0; i < 1000; i++) script.runInContext(context, options);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) script.runInContext(context, options);
  const wall = Number(process.hrtime.bigint() - t0) / 1e3 / N;
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `${label}: ${wall.toFixed(2)} µs wall/call, ${((cpu.user + cpu.system) / N).toFixed(2)} µs CPU/call (process, all threads)`,
  );
}
run('no timeout        ', {});
run('timeout: 5000 ms  ', { timeout: 5000 });
run('no timeout        ', {});
run('timeout: 5000 ms  ', { timeout: 5000 });
