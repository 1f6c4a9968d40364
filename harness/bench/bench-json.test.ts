import { describe, expect, it } from 'vitest';
import { compareTable } from './bench-json.ts';

describe('comparing benchmark tables', () => {
  it('puts the earlier figure beside each numeric cell of the same row and column', () => {
    const now = {
      title: 't',
      columns: ['hosts', 'ms'],
      rows: [
        ['10', 110],
        ['20', 200],
      ],
    };
    const before = { title: 't', columns: ['hosts', 'ms'], rows: [['10', 100]] };
    expect(compareTable(now, before).rows).toEqual([
      ['10', '110 (was 100, 10.0 %)'],
      ['20', 200],
    ]);
  });
});
