#!/usr/bin/env node
// The `sovh` command: loads the TypeScript CLI through tsx, so no build step is needed.
import { tsImport } from 'tsx/esm/api';

// A reader that stops early (`sovh list | head`) must not crash a run that still has a world to
// tear down: output it no longer wants is dropped.
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
});

const { main } = await tsImport('./main.ts', import.meta.url);
process.exitCode = await main(process.argv);
