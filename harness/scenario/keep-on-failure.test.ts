import { describe, expect, it } from 'vitest';
import type { Check } from '../checks/check.ts';
import { fail, pass } from '../checks/verdict.ts';
import type { CapabilityReport } from '../runtime/capabilities.ts';
import { History } from './history.ts';
import { failureToKeep } from './scenario-runner.ts';

const capabilities: CapabilityReport = {
  probedAt: '',
  engine: { address: '', flavour: '', version: '', apiVersion: '', kernel: '' },
  entries: [],
};

const check = (name: string, verdict: Check['verify']): Check => ({
  name,
  description: name,
  verify: verdict,
});

describe('--keep=on-failure: whether a world stays', () => {
  it('keeps a world whose schedule stopped, naming the error', async () => {
    await expect(
      failureToKeep([check('a', () => pass('ok'))], new History(), capabilities, 'step x failed'),
    ).resolves.toBe('the schedule stopped: step x failed');
  });

  it('keeps a world whose checks fail or cannot decide, naming each', async () => {
    const checks = [
      check('fine', () => pass('ok')),
      check('leaks', () => fail('2 packets arrived')),
      check('crashes', () => {
        throw new Error('boom');
      }),
    ];
    await expect(failureToKeep(checks, new History(), capabilities, undefined)).resolves.toBe(
      'checks leaks fail, crashes unknown',
    );
  });

  it('keeps nothing when every check passes on the history as it stands', async () => {
    await expect(
      failureToKeep([check('fine', () => pass('ok'))], new History(), capabilities, undefined),
    ).resolves.toBeUndefined();
  });
});
