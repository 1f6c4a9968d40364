import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import {
  unwritableTrailWrite,
  writeRefusedWhenTrailUnwritable,
  type UnwritableTrailWrite,
} from './unwritable-trail.ts';

function history(change: Partial<UnwritableTrailWrite> = {}): History {
  const h = new History();
  h.record('observation', unwritableTrailWrite.name, {
    host: 'vm1',
    objectId: 'untrailed-1',
    putStatus: 503,
    detail: 'PUT 503 / GET 0',
    closed: true,
    ...change,
  });
  return h;
}

const status = async (h: History) =>
  (await checkStatuses([writeRefusedWhenTrailUnwritable], h))[
    'write-refused-when-trail-unwritable'
  ];

describe('write-refused-when-trail-unwritable', () => {
  it('passes a refused write, nothing on disk, the store closed', async () => {
    expect(await status(history())).toBe('pass');
  });

  it('fails a write taken, an object on disk, or a store that stays open', async () => {
    expect(await status(history({ putStatus: 201 }))).toBe('fail');
    expect(await status(history({ objectFile: '/data/sovereign_storage/untrailed-1.obj' }))).toBe(
      'fail',
    );
    expect(await status(history({ closed: false }))).toBe('fail');
  });

  it('is unknown when the write got no answer, or nothing was observed', async () => {
    expect(await status(history({ putStatus: 0 }))).toBe('unknown');
    expect(await status(new History())).toBe('unknown');
  });
});
