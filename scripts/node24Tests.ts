// The test files CI also runs under Node 24 LTS: every unit test (a file that starts no Temporal
// server, Redis or worker process) and one end-to-end test. Printed one per line for .ci/run.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const END_TO_END = 'test/request.test.ts';
const startsAServer = /support\/harness|startRedis|startDevServer|spawn\(/;

const units = readdirSync('test')
  .filter((name) => name.endsWith('.test.ts'))
  .map((name) => join('test', name))
  .filter((path) => !startsAServer.test(readFileSync(path, 'utf8')));
for (const path of [...units, END_TO_END]) console.log(path);
