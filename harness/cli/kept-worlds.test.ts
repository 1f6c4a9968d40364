import { describe, expect, it } from 'vitest';
import { syntheticRunReport } from '../report/testing/synthetic-run.ts';
import { keptWorldLines } from './kept-worlds.ts';

describe('keptWorldLines', () => {
  it('says how to get into each kept world and how to remove it, and nothing for the others', () => {
    const [reference, mutant] = syntheticRunReport().scenarios;
    if (reference === undefined || mutant === undefined) throw new Error('fixture changed');
    const kept = { ...mutant, kept: { session: 'a1b2c3d4', reason: 'check x fail' } };
    const lines = keptWorldLines([reference, kept]);
    expect(lines[0]).toBe(
      `kept: ${mutant.scenario} [mutant ${mutant.mutant?.name ?? ''}] (run a1b2c3d4) is up as it was when check x fail; nothing was healed`,
    );
    const node = mutant.topology?.hosts[0]?.name ?? 'NODE';
    expect(lines.join('\n')).toContain(`npx sovh exec -it ${node}`);
    expect(lines.at(-1)).toBe('  remove it: npx sovh down --session a1b2c3d4');
    expect(keptWorldLines([reference])).toEqual([]);
  });
});
