import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { impostorChecks } from './kms-impostor-checks.ts';
import type { ImpostorKmsObservation } from './kms-impostor-evidence.ts';

/** What the impostor sees of a stack that verifies it: tries, failed handshakes, no request. */
function seen(overrides: Partial<ImpostorKmsObservation> = {}): ImpostorKmsObservation {
  return {
    certificate: 'another-authority',
    host: 'vm1',
    hostAddress: '10.42.0.5',
    kms: 'kms-impostor 10.42.0.3:5696',
    attempts: 9,
    acceptedFrom: ['10.42.0.5'],
    hostOperations: [],
    controlLogged: true,
    storeServing: false,
    ...overrides,
  };
}

/** The untrusted KMS's check on `observation`, beside a misnamed KMS that got nothing. */
async function status(observation: ImpostorKmsObservation) {
  const history = new History();
  history.record('observation', 'impostor-kms', observation);
  history.record('observation', 'impostor-kms', seen({ certificate: 'another-name', host: 'vm2' }));
  return (await checkStatuses(impostorChecks, history))['untrusted-kms-gets-no-request'];
}

/** The SAN-less KMS's check on `observation`, beside the two other impostors that got nothing. */
async function sanLessStatus(observation: Partial<ImpostorKmsObservation>) {
  const history = new History();
  history.record('observation', 'impostor-kms', seen());
  history.record('observation', 'impostor-kms', seen({ certificate: 'another-name', host: 'vm2' }));
  history.record(
    'observation',
    'impostor-kms',
    seen({ certificate: 'common-name-only', host: 'vm3', ...observation }),
  );
  return (await checkStatuses(impostorChecks, history))['san-less-kms-gets-no-request'];
}

describe('kms-impostor checks', () => {
  it('pass when the host tried the impostor and sent it nothing', async () => {
    expect(await status(seen())).toBe('pass');
  });

  it('fail on any request processed for the host, or a store that serves', async () => {
    expect(await status(seen({ hostOperations: ['Create', 'Activate', 'Get'] }))).toBe('fail');
    expect(await status(seen({ storeServing: true }))).toBe('fail');
  });

  it('are unknown when the host never tried it, or the log missed the harness’s own request', async () => {
    expect(await status(seen({ attempts: 0, acceptedFrom: [] }))).toBe('unknown');
    expect(await status(seen({ controlLogged: false }))).toBe('unknown');
  });

  it('judge the KMS without a subjectAltName the same way', async () => {
    expect(await sanLessStatus({})).toBe('pass');
    expect(await sanLessStatus({ hostOperations: ['Create', 'Activate', 'Get'] })).toBe('fail');
    expect(await sanLessStatus({ storeServing: true })).toBe('fail');
    expect(await sanLessStatus({ attempts: 0, acceptedFrom: [] })).toBe('unknown');
    expect(await sanLessStatus({ controlLogged: false })).toBe('unknown');
  });

  it('judge each KMS by its own observation', async () => {
    const history = new History();
    history.record('observation', 'impostor-kms', seen());
    history.record(
      'observation',
      'impostor-kms',
      seen({ certificate: 'another-name', host: 'vm2', hostOperations: ['Create'] }),
    );
    history.record(
      'observation',
      'impostor-kms',
      seen({ certificate: 'common-name-only', host: 'vm3' }),
    );
    expect(await checkStatuses(impostorChecks, history)).toEqual({
      'untrusted-kms-gets-no-request': 'pass',
      'misnamed-kms-gets-no-request': 'fail',
      'san-less-kms-gets-no-request': 'pass',
    });
  });

  it('are unknown without the observation', async () => {
    const statuses = await checkStatuses(impostorChecks, new History());
    expect(statuses['untrusted-kms-gets-no-request']).toBe('unknown');
    expect(statuses['san-less-kms-gets-no-request']).toBe('unknown');
  });
});
