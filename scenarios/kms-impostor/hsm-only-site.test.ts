import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { hsmOnlyBoot, hsmOnlySiteRefused, type HsmOnlyBoot } from './hsm-only-site.ts';

function history(boot: HsmOnlyBoot): History {
  const h = new History();
  h.record('observation', hsmOnlyBoot.name, boot);
  return h;
}

const status = async (h: History) =>
  (await checkStatuses([hsmOnlySiteRefused], h))['hsm-only-site-refused'];
const refusal =
  '2026-12-06T18:00:00.000+00:00 residency: SITE_FILE_ERROR: the site file names a hsm but no kms';

describe('hsm-only-site-refused', () => {
  it('passes a refusal after which the store stays closed', async () => {
    expect(
      await status(history({ host: 'vm4', outcome: 'refused', refusal, servingAfterHold: false })),
    ).toBe('pass');
  });

  it('fails a store that serves, before or after the refusal', async () => {
    expect(await status(history({ host: 'vm4', outcome: 'serving' }))).toBe('fail');
    expect(
      await status(history({ host: 'vm4', outcome: 'refused', refusal, servingAfterHold: true })),
    ).toBe('fail');
  });

  it('is unknown when the last probe did not finish, or nothing was observed', async () => {
    expect(await status(history({ host: 'vm4', outcome: 'refused', refusal }))).toBe('unknown');
    expect(await status(new History())).toBe('unknown');
  });
});
