import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import configImmutability from './config-immutability.ts';

/** A tamper attempt on one file as a correct stack leaves it: the flag refuses, and only it. */
function attempt(path: string, overrides: object = {}) {
  return {
    path,
    flagsBefore: '----i---------e-----',
    writeRefused: true,
    error: 'sh: 1: cannot create: Operation not permitted',
    contentUnchanged: true,
    writableOnceUnflagged: true,
    ...overrides,
  };
}

function statuses(rulesOverrides: object = {}) {
  const h = new History();
  h.record('observation', 'tamper-attempt', attempt('/etc/resolv.conf'));
  h.record('observation', 'tamper-attempt', attempt('/etc/iptables/rules.v4', rulesOverrides));
  return checkStatuses(configImmutability.checks, h);
}

describe('config-immutability checks', () => {
  it('all pass on the evidence of a correct stack', async () => {
    expect(await statuses()).toEqual({
      'resolv-conf-immutable': 'pass',
      'rules-v4-immutable': 'pass',
      'writable-once-unflagged': 'pass',
      // No reboot in this history: stale-boot.test.ts judges that check.
      'resolv-conf-rewritten-at-boot': 'unknown',
    });
  });

  it('fail the file whose write went through or whose flag is missing', async () => {
    expect((await statuses({ writeRefused: false }))['rules-v4-immutable']).toBe('fail');
    expect((await statuses({ flagsBefore: '--------------e-----' }))['rules-v4-immutable']).toBe(
      'fail',
    );
  });

  it('fail the control when the write is refused even without the flag: the refusal was not the flag’s', async () => {
    const result = await statuses({ writableOnceUnflagged: false });
    expect(result['writable-once-unflagged']).toBe('fail');
    expect(result['resolv-conf-immutable']).toBe('pass');
  });
});
