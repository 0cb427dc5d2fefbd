// `npm test`: every test file under test/ except the drills in test/drills/ (`npm run drills`),
// two at a time (the machine kind has two cores), on one shared dev server (TEST_SHARED_SERVER=0:
// one per file). Extra arguments are test files to run instead.
import { join } from 'node:path';
import { projectRoot } from '../config/paths.js';
import { runTestFiles, testFiles } from './testRun.js';

const files = process.argv.slice(2).length
  ? process.argv.slice(2)
  : testFiles(join(projectRoot, 'test'), new Set(['drills']));
process.exit(
  await runTestFiles(files, { concurrency: Number(process.env.TEST_CONCURRENCY ?? 2), sharedServer: true }),
);
