import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import {
  nonceOf,
  objectNonceNeverRepeats,
  objectNonces,
  type ObjectNonces,
} from './nonce-check.ts';

function history(change: Partial<ObjectNonces> = {}): History {
  const h = new History();
  h.record('observation', objectNonces.name, {
    objectId: 'before-outage',
    path: '/data/sovereign_storage/before-outage.obj',
    before: '00000000000000000000000a',
    after: '9f1c2e0b77aa41d3c0de5511',
    rewrite: { ok: true, detail: 'PUT 201, GET 200' },
    ...change,
  });
  return h;
}

const status = async (h: History) =>
  (await checkStatuses([objectNonceNeverRepeats], h))['object-nonce-never-repeats'];

describe('object-nonce-never-repeats', () => {
  it('passes a rewrite under a new nonce', async () => {
    expect(await status(history())).toBe('pass');
  });

  it('fails a rewrite under the nonce the record had', async () => {
    const verdict = await objectNonceNeverRepeats.verify(
      history({ after: '00000000000000000000000a' }),
    );
    expect(verdict.status).toBe('fail');
    expect(verdict.summary).toBe(
      'before-outage was written again under the nonce it had: 00000000000000000000000a',
    );
  });

  it('is unknown when the rewrite failed, a file was unreadable, or nothing was recorded', async () => {
    expect(await status(history({ rewrite: { ok: false, detail: 'PUT 503' } }))).toBe('unknown');
    expect(await status(history({ before: undefined }))).toBe('unknown');
    expect(await status(new History())).toBe('unknown');
  });

  it('reads the nonce off the head of the file', () => {
    expect(nonceOf(Buffer.from('00112233445566778899aabbccddeeff', 'hex'))).toBe(
      '00112233445566778899aabb',
    );
  });
});
