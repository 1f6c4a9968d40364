import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The harness's own version and platform, recorded in every report. */
export function harnessVersion(): { version: string; node: string; platform: string } {
  const packageJson = JSON.parse(
    readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'),
  ) as { version: string };
  return {
    version: packageJson.version,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}
