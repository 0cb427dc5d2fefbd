// The test files CI also runs under Node 24 LTS: every unit test (no server needed) and one
// end-to-end test. Printed one per line for .ci/run.
import { readdirSync } from 'node:fs';

const endToEnd = new Set(['request.test.ts']);
const serverless = readdirSync('test').filter(
  (name) =>
    name.endsWith('.test.ts') &&
    !/^(request|routing|pipeline|drill|cache|metrics|api|conversation)/.test(name),
);
for (const name of [...serverless, ...endToEnd]) console.log(`test/${name}`);
