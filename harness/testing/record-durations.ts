import { readFileSync, writeFileSync } from 'node:fs';
import { durationsFile } from './duration-sequencer.ts';
import { parseReporterDurations } from './expected-durations.ts';

/** `npm run test:durations -- LOG`: records each test file's duration from a run's log. */
const [log] = process.argv.slice(2);
if (log === undefined) {
  process.stderr.write('give the log of a test run: npm run test:durations -- /tmp/ci.log\n');
  process.exit(2);
}
const durations = parseReporterDurations(readFileSync(log, 'utf8'));
const count = Object.keys(durations).length;
if (count === 0) {
  process.stderr.write(`${log} has no file lines of vitest's default reporter\n`);
  process.exit(1);
}
const sorted = Object.fromEntries(Object.entries(durations).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(durationsFile, `${JSON.stringify(sorted, null, 2)}\n`);
process.stdout.write(`recorded ${count} test files in ${durationsFile}\n`);
