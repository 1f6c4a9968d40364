import { describe, expect, it } from 'vitest';
import { syntheticRunReport } from '../report/testing/synthetic-run.ts';
import { SovhError } from '../util/sovh-error.ts';
import {
  capsuleFormat,
  capsuleManifest,
  describeImageDifferences,
  imageDifferences,
  readCapsuleManifest,
  recipeOfTag,
} from './capsule-manifest.ts';

const report = syntheticRunReport();

function manifest(version = '0.1.0') {
  return capsuleManifest(
    { ...report, seed: 42 },
    {
      version,
      createdAt: new Date('2026-12-03T09:00:00Z'),
      source: '/work/reports/r1',
      imageIds: new Map([['sovh/host:aaaa', 'sha256:1111']]),
      files: ['run/results.json'],
      incidents: [],
      composeFiles: ['compose.yaml', undefined],
    },
  );
}

describe('capsuleManifest', () => {
  it('records the run, its seed, each scenario run and mutant, and each image with recipe and id', () => {
    const m = manifest();
    expect(m.format).toBe(capsuleFormat);
    expect(m.sovh.version).toBe('0.1.0');
    expect(m.runId).toBe(report.runId);
    expect(m.seed).toBe(42);
    expect(m.runs.map((r) => [r.scenario, r.mutant, r.compose])).toEqual([
      [report.scenarios[0]?.scenario, undefined, 'compose.yaml'],
      [report.scenarios[1]?.scenario, 'egress-accept', undefined],
    ]);
    expect(m.runs[0]?.images).toEqual([
      {
        role: 'host',
        tag: 'sovh/host:aaaa',
        recipe: { name: 'host', hash: 'aaaa' },
        id: 'sha256:1111',
      },
      {
        role: 'observer',
        tag: 'sovh/sim-observer:bbbb',
        recipe: { name: 'sim-observer', hash: 'bbbb' },
      },
    ]);
    expect(m.stack).toEqual(report.stack);
  });

  it('reads no recipe from an image the harness did not build', () => {
    expect(recipeOfTag('sha256:abcd')).toBeUndefined();
    expect(recipeOfTag('sovh/host-mutant-x:0123abcd')).toEqual({
      name: 'host-mutant-x',
      hash: '0123abcd',
    });
  });
});

describe('readCapsuleManifest', () => {
  const parsed = () => JSON.parse(JSON.stringify(manifest())) as Record<string, unknown>;

  it('accepts a capsule of this format and version', () => {
    expect(readCapsuleManifest(parsed(), 'x.tgz', { version: '0.1.0' }).runId).toBe(report.runId);
  });

  it('refuses a capsule made by another version, naming both', () => {
    const other = { ...parsed(), sovh: { version: '0.0.9' } };
    expect(() => readCapsuleManifest(other, 'x.tgz', { version: '0.1.0' })).toThrow(
      /x\.tgz was made by sovh 0\.0\.9, this is sovh 0\.1\.0.*npx sovh@0\.0\.9 replay/s,
    );
  });

  it('refuses another capsule format, naming the version that made it', () => {
    const other = { ...parsed(), format: 'sovh-capsule/2', sovh: { version: '0.3.0' } };
    try {
      readCapsuleManifest(other, 'x.tgz', { version: '0.1.0' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SovhError);
      expect((error as SovhError).code).toBe('CAPSULE_OTHER_VERSION');
      expect((error as Error).message).toMatch(
        /format sovh-capsule\/2, made by sovh 0\.3\.0; this is sovh 0\.1\.0/,
      );
    }
  });

  it('refuses what is no capsule manifest', () => {
    expect(() => readCapsuleManifest({ runs: [] }, 'x.tgz', { version: '0.1.0' })).toThrow(
      /no capsule manifest/,
    );
    expect(() => readCapsuleManifest(null, 'x.tgz', { version: '0.1.0' })).toThrow(
      /no capsule manifest/,
    );
  });
});

describe('imageDifferences', () => {
  const run = manifest().runs[0];
  if (run === undefined) throw new Error('no run');

  it('finds none when the local build gives the recorded tags and ids', () => {
    const local = new Map([
      ['host', { tag: 'sovh/host:aaaa', id: 'sha256:1111' }],
      ['observer', { tag: 'sovh/sim-observer:bbbb', id: 'sha256:2222' }],
    ]);
    expect(imageDifferences(run, local)).toEqual([]);
  });

  it('names an image whose recipe hash or id differs, and one not built', () => {
    const local = new Map([['host', { tag: 'sovh/host:aaaa', id: 'sha256:9999' }]]);
    const differences = imageDifferences(run, local);
    expect(differences.map((d) => d.role)).toEqual(['host', 'observer']);
    expect(describeImageDifferences(differences)).toContain(
      'image host: recorded sovh/host:aaaa (sha256:1111), built here sovh/host:aaaa (sha256:9999)',
    );
    const rehashed = new Map([
      ['host', { tag: 'sovh/host:cccc', id: 'sha256:1111' }],
      ['observer', { tag: 'sovh/sim-observer:bbbb' }],
    ]);
    expect(imageDifferences(run, rehashed).map((d) => [d.role, d.local.tag])).toEqual([
      ['host', 'sovh/host:cccc'],
    ]);
  });
});
