import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capsuleManifest } from '../../capsule/capsule-manifest.ts';
import type { RunReport } from '../../report/run-report.ts';
import { syntheticRunReport } from '../../report/testing/synthetic-run.ts';
import { silentLogger } from '../../util/log.ts';
import { capsuleCommand } from './capsule-command.ts';
import { relocated } from './replay-capsule.ts';

describe('sovh capsule: bad input', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'sovh-capsule-unit-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });
  const noEngine = () => Promise.resolve(undefined);

  it('refuses a folder that is not a run, naming the fix', async () => {
    await expect(
      capsuleCommand(work, { output: join(work, 'x.tgz') }, silentLogger, noEngine),
    ).rejects.toThrow(/is not a run's report folder .*npx sovh capsule reports\/<run-id>/);
    await expect(
      capsuleCommand(join(work, 'nothing'), { output: 'x.tgz' }, silentLogger, noEngine),
    ).rejects.toMatchObject({ code: 'CAPSULE_NOT_A_RUN' });
  });

  it('refuses an output that is not a gzipped tar name', async () => {
    const run = join(work, 'run');
    await mkdir(run);
    await writeFile(join(run, 'results.json'), JSON.stringify(syntheticRunReport()));
    await expect(
      capsuleCommand(run, { output: join(work, 'x.zip') }, silentLogger, noEngine),
    ).rejects.toMatchObject({ code: 'CAPSULE_OUTPUT' });
  });
});

describe('replay of a capsule: the recorded options', () => {
  const report: RunReport = {
    ...syntheticRunReport(),
    options: {
      cwd: '/nowhere/on/this/machine',
      stack: './my-stack',
      incidents: ['/nowhere/incident.yaml', '/elsewhere/kept.yaml'],
    },
  };
  const manifest = capsuleManifest(report, {
    version: '0.1.0',
    createdAt: new Date(0),
    source: '/nowhere/reports/r',
    imageIds: new Map(),
    files: [],
    incidents: [{ recorded: '/nowhere/incident.yaml', file: 'incidents/1-incident.yaml' }],
    composeFiles: [],
    stackContext: 'stack',
  });

  it("points incident files, a gone stack context and a gone working folder at the capsule's copies", () => {
    const options = relocated(report, manifest, '/tmp/unpacked').options;
    expect(options?.incidents).toEqual([
      '/tmp/unpacked/incidents/1-incident.yaml',
      '/elsewhere/kept.yaml',
    ]);
    expect(options?.stack).toBe('/tmp/unpacked/stack');
    expect(options?.cwd).toBe(process.cwd());
  });

  it('keeps a working folder and stack that are on this machine', () => {
    const here = { ...report, options: { cwd: process.cwd(), stack: '.' } };
    expect(relocated(here, manifest, '/tmp/unpacked').options).toEqual({
      cwd: process.cwd(),
      stack: '.',
    });
  });
});
