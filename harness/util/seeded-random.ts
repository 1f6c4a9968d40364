import { createHash, randomInt } from 'node:crypto';
import { SovhError } from './sovh-error.ts';

/**
 * The one source of randomness that shapes a run: what a scenario sends (payloads, canary names),
 * when it acts, what its models draw. A run has one seed; each purpose draws from a stream of its
 * own, named, whose state is a hash of the seed and the name alone. So the same seed gives the same
 * draws, and a draw added to one stream never shifts another.
 *
 * What must differ between runs does NOT come from here: run ids, session ids and engine object
 * names (two runs with one seed on one engine must not collide), and secrets (PINs, passwords,
 * keys: a seed is printed and stored, and a secret that follows from a published number is none).
 * Those keep using node:crypto directly. Addresses within a zone draw nothing: they are fixed
 * offsets into the subnet the engine grants (harness/topology/address-plan.ts).
 */

/** Seeds are whole numbers from 0 to 2^32 - 1: short enough to print, type and keep. */
export const maxSeed = 0xffff_ffff;

/** A seed for a run that was given none. */
export function newSeed(): number {
  return randomInt(0, maxSeed + 1);
}

/** Parses `--seed N`, naming the problem and the fix. */
export function parseSeed(text: string): number {
  const seed = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(seed) || seed > maxSeed) {
    throw new SovhError(
      'BAD_SEED',
      `seed "${text}" is not a whole number from 0 to ${String(maxSeed)}; give e.g. --seed 42, or leave it out for a random one`,
    );
  }
  return seed;
}

/**
 * xoshiro128** 1.1 (Blackman and Vigna): 128 bits of state, 32-bit outputs, small, fast and well
 * studied. Exported for its test against the reference implementation's output.
 */
export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(state: readonly [number, number, number, number]) {
    [this.s0, this.s1, this.s2, this.s3] = state.map((w) => w >>> 0) as [
      number,
      number,
      number,
      number,
    ];
    // The all-zero state is the one fixed point; a hash never gives it in practice, but be sure.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** One named stream of draws. */
export class RandomStream {
  private readonly generator: Xoshiro128;

  constructor(
    readonly seed: number,
    /** The stream's full name, e.g. `dns-leakage [mutant x]/canary`. */
    readonly name: string,
  ) {
    const digest = createHash('sha256')
      .update(`sovh-random/1\0${String(seed)}\0${name}`)
      .digest();
    this.generator = new Xoshiro128([
      digest.readUInt32LE(0),
      digest.readUInt32LE(4),
      digest.readUInt32LE(8),
      digest.readUInt32LE(12),
    ]);
  }

  uint32(): number {
    return this.generator.nextUint32();
  }

  /** A number in [0, 1) with 53 random bits. */
  next(): number {
    const high = this.uint32() >>> 5; // 27 bits
    const low = this.uint32() >>> 6; // 26 bits
    return (high * 67_108_864 + low) / 9_007_199_254_740_992;
  }

  /** A whole number in [min, max] (both included). */
  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min)
      throw new RangeError(`int(${String(min)}, ${String(max)}): give whole numbers, min <= max`);
    return min + Math.floor(this.next() * (max - min + 1));
  }

  bytes(count: number): Buffer {
    const out = Buffer.alloc(count);
    for (let i = 0; i < count; i += 4) {
      const word = this.uint32();
      for (let j = 0; j < 4 && i + j < count; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
    }
    return out;
  }

  /** `count` random bytes as hex (2 * count characters): a drop-in for randomBytes(n).toString('hex'). */
  hex(count: number): string {
    return this.bytes(count).toString('hex');
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy;
  }
}

/**
 * The randomness of a run, or of a part of it (`scope`): streams by name, and scopes within it.
 * A scenario run gets the scope `<scenario>` or `<scenario> [mutant M]`, so the draws of a scenario
 * run depend on the seed and that name, not on which other runs came before it, the shard, `-j`,
 * or a repetition (`--repeat` makes each repetition with the same draws, so that what varies
 * between them is the machine, not the input).
 */
export class SeededRandom {
  constructor(
    readonly seed: number,
    readonly scope: string = '',
  ) {
    if (!Number.isSafeInteger(seed) || seed < 0 || seed > maxSeed)
      throw new RangeError(
        `seed ${String(seed)} is not a whole number from 0 to ${String(maxSeed)}`,
      );
  }

  /** The stream for one purpose. Asking twice for one name starts the same draws again. */
  stream(name: string): RandomStream {
    return new RandomStream(this.seed, this.qualified(name));
  }

  /** A part of this scope with streams of its own. */
  fork(name: string): SeededRandom {
    return new SeededRandom(this.seed, this.qualified(name));
  }

  private qualified(name: string): string {
    if (name === '') throw new RangeError('a random stream needs a name');
    return this.scope === '' ? name : `${this.scope}/${name}`;
  }
}
