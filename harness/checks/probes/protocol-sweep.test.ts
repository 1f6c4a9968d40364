import { describe, expect, it } from 'vitest';
import { asRanges } from './protocol-sweep.ts';

describe('asRanges', () => {
  it('writes runs of numbers as ranges, sorted and without repeats', () => {
    expect(asRanges([7, 1, 2, 3, 3, 9, 10])).toBe('1-3,7,9-10');
  });

  it('writes nothing for no numbers', () => {
    expect(asRanges([])).toBe('');
  });
});
