import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { unpackArchive } from '../../capsule/capsule-archive.ts';
import type { CapsuleManifest } from '../../capsule/capsule-manifest.ts';
import { scenarios } from '../../../scenarios/index.ts';
import { readIncident } from '../../../scenarios/incident/incident-file.ts';
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

describe('sovh capsule: the traces an incident plays', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'sovh-capsule-traces-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });
  const noEngine = () => Promise.resolve(undefined);
  const trace = resolve(import.meta.dirname, '../../../examples/incidents/traces/ups-outage.log');

  async function recordedRun(tracePath: string): Promise<string> {
    const site = await mkdtemp(join(work, 'site-'));
    await writeFile(
      join(site, 'outage.yaml'),
      `name: outage\nscenario: power-failure-key-wipe\nschedule:\n  - at: 1s\n    fault: ups-trace\n    params: { ups: ups1, file: ${tracePath} }\n    for: 10s\n  - at: 12s\n    fault: mains-failure\nchecks: [keys-gone-from-memory]\n`,
    );
    const run = join(site, 'run');
    await mkdir(run);
    const report: RunReport = {
      ...syntheticRunReport(),
      options: { cwd: site, incidents: [join(site, 'outage.yaml')] },
    };
    await writeFile(join(run, 'results.json'), JSON.stringify(report));
    return run;
  }

  it('carries each trace beside the incident copy, which points at it', async () => {
    const run = await recordedRun(trace);
    const output = join(work, 'with-trace.tgz');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await capsuleCommand(run, { output }, silentLogger, noEngine)).toBe(0);
    } finally {
      write.mockRestore();
    }
    const unpacked = join(work, 'unpacked');
    await mkdir(unpacked);
    await unpackArchive(output, unpacked);
    const manifest = JSON.parse(
      await readFile(join(unpacked, 'manifest.json'), 'utf8'),
    ) as CapsuleManifest;
    expect(manifest.traces).toEqual([
      { recorded: trace, file: 'incidents/traces/1-1-ups-outage.log' },
    ]);
    const carried = join(unpacked, manifest.incidents[0]?.file ?? '');
    const { schedule } = parse(await readFile(carried, 'utf8')) as {
      schedule: { params: { file: string } }[];
    };
    const played = resolve(dirname(carried), schedule[0]?.params.file ?? '');
    expect(await readFile(played, 'utf8')).toBe(await readFile(trace, 'utf8'));
    // Read as a replay reads it: the fault plays the copy, checked as a trace.
    const incident = readIncident(await readFile(carried, 'utf8'), carried, { scenarios });
    expect(incident.plan.faults[0]?.parameters.file).toBe(played);
  });

  it('refuses a run whose trace is gone, naming it and the fix', async () => {
    const run = await recordedRun('gone/outage.log');
    await expect(
      capsuleCommand(run, { output: join(work, 'x.tgz') }, silentLogger, noEngine),
    ).rejects.toThrow(
      /the run loaded the trace .*gone\/outage\.log, which cannot be read now .*Put it back at that path/,
    );
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
