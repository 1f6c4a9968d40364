import { describe, expect, it } from 'vitest';
import { chooseCapsuleRun, upCapsule } from './up-capsule.ts';
import { silentLogger } from '../../util/log.ts';

const runs = [
  { scenario: 'geo-gate', seed: 1 },
  { scenario: 'geo-gate', mutant: 'geoip-check-disabled', seed: 2 },
];

describe('chooseCapsuleRun', () => {
  it('takes the only run, or the one --run names', () => {
    expect(chooseCapsuleRun(runs.slice(0, 1), undefined, 'c.tgz')).toBe(0);
    expect(chooseCapsuleRun(runs, 2, 'c.tgz')).toBe(1);
  });

  it('refuses to guess among several runs, and a run the capsule does not hold, listing them', () => {
    expect(() => chooseCapsuleRun(runs, undefined, 'c.tgz')).toThrow(
      /c\.tgz holds 2 runs, each its own world: name one with --run N\n {2}--run 1: geo-gate \(seed 1\)\n {2}--run 2: geo-gate \[mutant geoip-check-disabled\] \(seed 2\)/,
    );
    expect(() => chooseCapsuleRun(runs, 3, 'c.tgz')).toThrow(/--run 3: c\.tgz holds runs 1 to 2/);
    expect(() => chooseCapsuleRun(runs, 1.5, 'c.tgz')).toThrow(/--run 1\.5/);
  });
});

describe('upCapsule', () => {
  it('refuses flags that the recording fixes before it unpacks anything', async () => {
    await expect(
      upCapsule('/nonexistent/c.tgz', { mutant: 'm', stack: 's' }, silentLogger),
    ).rejects.toThrow(/--mutant, --stack: a capsule's world has the recorded mutant, stack/);
  });
});
