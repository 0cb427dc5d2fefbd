// `npm run drills`: the failure drills and load tests in test/drills/ (kill -9, outages, 429 storms,
// server restarts, bad-input floods, soaks). One at a time by default: each drives a worker hard and
// some bound latencies, which a second drill on the same two cores would distort.
// Extra arguments are drill files to run instead.
import { join } from 'node:path';
import { projectRoot } from '../config/paths.js';
import { runTestFiles, testFiles } from './testRun.js';

const files = process.argv.slice(2).length
  ? process.argv.slice(2)
  : testFiles(join(projectRoot, 'test', 'drills'));
// Each drill on its own dev server: a drill that stops or overloads one must not touch another's.
process.exit(
  await runTestFiles(files, { concurrency: Number(process.env.DRILL_CONCURRENCY ?? 1), sharedServer: false }),
);
