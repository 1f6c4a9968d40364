#!/usr/bin/env node
// Started detached by the docker tests' global setup: `session-janitor.mjs PID NAMESPACES LOG [SETTLE_MS]`
// (NAMESPACES: comma-separated, `test-*` for every namespace with that prefix). Loads
// the TypeScript janitor through tsx (as the sovh command does) and sweeps once PID has ended.
import { appendFileSync } from 'node:fs';
import { tsImport } from 'tsx/esm/api';

const [watchPid, namespaces, logFile, settleMs] = process.argv.slice(2);
const write = (line) => {
  if (logFile !== undefined) appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
};
const { sweepAfter } = await tsImport('./session-janitor.ts', import.meta.url);
const { locateEngine } = await tsImport('../engine/engine-locator.ts', import.meta.url);
const log = { info: write, warn: write, detail: () => undefined };
try {
  const engine = await locateEngine(process.env, log);
  if (engine === undefined) throw new Error('no container engine answers');
  const removed = await sweepAfter({
    docker: engine.docker,
    watchPid: Number(watchPid),
    namespaces: (namespaces ?? '').split(',').filter((n) => n !== ''),
    log,
    ...(settleMs === undefined ? {} : { settleMs: Number(settleMs) }),
  });
  write(`test run ${watchPid} ended; removed ${removed} session(s) of dead test processes`);
} catch (error) {
  write(`could not sweep: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
