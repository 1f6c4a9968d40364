#!/usr/bin/env node
// The `sovh` command: loads the TypeScript CLI through tsx, so no build step is needed.
import { tsImport } from 'tsx/esm/api';

// A reader that stops early (`sovh list | head`) must not crash a run that still has a world to
// tear down: output it no longer wants is dropped.
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
});

const { main, interruptedBy } = await tsImport('./main.ts', import.meta.url);
process.exitCode = await main(process.argv);
// Every command has finished its work when main returns (reports written, worlds down or kept on
// purpose). What may still hold the process is a phase the run abandoned (a world hit from
// outside): its own waits end only at their bounds, a minute later, and nothing they do counts.
// The process leaves at once when nothing is left, and after a short grace otherwise. Not after
// SIGINT or SIGTERM: the signal's teardown is still running, and it exits by itself when done.
if (interruptedBy() === undefined) setTimeout(() => process.exit(), 2_000).unref();
