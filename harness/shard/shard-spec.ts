import { SovhError } from '../util/sovh-error.ts';

/** Which share of a run this process takes: shard `index` of `total`, counted from 1. */
export interface ShardSpec {
  index: number;
  total: number;
}

/** Reads "i/n" (as vitest's --shard does): 1 <= i <= n, whole numbers. */
export function parseShardSpec(text: string): ShardSpec {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const total = Number(match?.[2]);
  if (match === null || index < 1 || total < 1 || index > total) {
    throw new SovhError(
      'BAD_SHARD',
      `--shard "${text}" is not a shard: give i/n with 1 <= i <= n, e.g. --shard 2/3 for the second of three runners`,
    );
  }
  return { index, total };
}

export function formatShardSpec(shard: ShardSpec): string {
  return `${String(shard.index)}/${String(shard.total)}`;
}
