import { describe, expect, it } from 'vitest';
import { raceDeadline } from './deadline.ts';

describe('raceDeadline', () => {
  it('gives the value of an attempt that settles in time', async () => {
    await expect(raceDeadline(Promise.resolve(7), 1_000, () => new Error('late'))).resolves.toBe(7);
  });

  it('rejects with the expiry error when the attempt never settles', async () => {
    const never = new Promise<number>(() => undefined);
    await expect(raceDeadline(never, 10, () => new Error('late'))).rejects.toThrow('late');
  });

  it('passes on the attempt’s own failure', async () => {
    await expect(
      raceDeadline(Promise.reject(new Error('refused')), 1_000, () => new Error('late')),
    ).rejects.toThrow('refused');
  });
});
