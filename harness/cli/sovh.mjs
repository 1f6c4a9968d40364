#!/usr/bin/env node
// The `sovh` command: loads the TypeScript CLI through tsx, so no build step is needed.
import { tsImport } from 'tsx/esm/api';

const { main } = await tsImport('./main.ts', import.meta.url);
process.exitCode = await main(process.argv);
