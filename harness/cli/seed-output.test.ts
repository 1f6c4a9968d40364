import { describe, expect, it } from 'vitest';
import { renderSeedLine } from './seed-output.ts';

describe('renderSeedLine', () => {
  it('names the seed and every way to draw the same again', () => {
    expect(renderSeedLine(42, ['`npx sovh replay reports/r1`', '--seed 42'])).toBe(
      'seed: 42 (the same draws again: `npx sovh replay reports/r1`, or --seed 42)',
    );
    expect(renderSeedLine(0, ['`npx sovh up boot-binding --seed 0`'])).toBe(
      'seed: 0 (the same draws again: `npx sovh up boot-binding --seed 0`)',
    );
  });
});
