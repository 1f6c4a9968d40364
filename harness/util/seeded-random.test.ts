import { describe, expect, it } from 'vitest';
import { maxSeed, newSeed, parseSeed, SeededRandom, Xoshiro128 } from './seeded-random.ts';

const draws = (random: SeededRandom, name: string, count = 8) => {
  const stream = random.stream(name);
  return Array.from({ length: count }, () => stream.uint32());
};

describe('seeded random', () => {
  it('xoshiro128** gives the reference implementation output for the state 1, 2, 3, 4', () => {
    const generator = new Xoshiro128([1, 2, 3, 4]);
    expect(Array.from({ length: 10 }, () => generator.nextUint32())).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597,
      4258142804,
    ]);
  });

  it('the same seed and name give the same draws, in another instance too', () => {
    const a = new SeededRandom(42).fork('dns-leakage [mutant x]');
    const b = new SeededRandom(42).fork('dns-leakage [mutant x]');
    expect(draws(a, 'canary')).toEqual(draws(b, 'canary'));
    expect(a.stream('payload').hex(12)).toBe(b.stream('payload').hex(12));
  });

  it('another seed gives other draws', () => {
    expect(draws(new SeededRandom(1), 'canary')).not.toEqual(draws(new SeededRandom(2), 'canary'));
  });

  it('streams of other names are independent: drawing from one does not shift another', () => {
    const random = new SeededRandom(7);
    const alone = draws(random, 'payload');
    const other = random.stream('canary');
    for (let i = 0; i < 100; i++) other.uint32();
    expect(draws(random, 'payload')).toEqual(alone);
    expect(draws(random, 'canary')).not.toEqual(alone);
    // A scope is part of the name: the same stream name in two scenarios draws differently.
    expect(draws(random.fork('a'), 'payload')).not.toEqual(draws(random.fork('b'), 'payload'));
  });

  it('draws stay in their ranges and spread over them', () => {
    const stream = new SeededRandom(3).stream('ranges');
    const ints = Array.from({ length: 2000 }, () => stream.int(1, 6));
    expect(Math.min(...ints)).toBe(1);
    expect(Math.max(...ints)).toBe(6);
    for (let face = 1; face <= 6; face++)
      expect(ints.filter((v) => v === face).length).toBeGreaterThan(250);
    const unit = Array.from({ length: 2000 }, () => stream.next());
    expect(unit.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(stream.hex(5)).toMatch(/^[0-9a-f]{10}$/);
    expect(stream.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(['x', 'y']).toContain(stream.pick(['x', 'y']));
  });

  it('parses seeds and refuses what is not one, naming the fix', () => {
    expect(parseSeed('0')).toBe(0);
    expect(parseSeed(String(maxSeed))).toBe(maxSeed);
    for (const bad of ['-1', '1.5', 'abc', '', String(maxSeed + 1)])
      expect(() => parseSeed(bad)).toThrow(/not a whole number from 0 to 4294967295.*--seed 42/);
    const seed = newSeed();
    expect(Number.isInteger(seed) && seed >= 0 && seed <= maxSeed).toBe(true);
    expect(() => new SeededRandom(-1)).toThrow(RangeError);
    expect(() => new SeededRandom(1).stream('')).toThrow(/needs a name/);
  });
});
