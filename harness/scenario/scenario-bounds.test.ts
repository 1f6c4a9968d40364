import { describe, expect, it } from 'vitest';
import { contractBound } from '../contract/contract-bounds.ts';
import { History } from './history.ts';
import { boundsFor, boundsInForce, boundValue } from './scenario-bounds.ts';

const haltMs = contractBound({
  name: 'haltMs',
  description: 'the store halts within this long',
  unit: 'ms',
  contract: 10_000,
  tighter: 'lower',
});
const ratio = contractBound({
  name: 'minRatio',
  description: 'throughput ratio at least',
  unit: 'ratio',
  contract: 0.95,
  tighter: 'higher',
});
const scenario = { name: 'demo', contractBounds: [haltMs, ratio] };

describe('contract bounds', () => {
  it("hold the contract's values unless the stack states tighter ones", () => {
    expect(boundsFor(scenario, undefined, 'cfg')).toEqual({ haltMs: 10_000, minRatio: 0.95 });
    expect(boundsFor(scenario, { haltMs: 4_000, minRatio: 0.99 }, 'cfg')).toEqual({
      haltMs: 4_000,
      minRatio: 0.99,
    });
  });

  it('refuse a looser value and an unknown bound, naming the contract', () => {
    expect(() => boundsFor(scenario, { haltMs: 20_000 }, 'sovh.config.ts')).toThrow(
      /sovh.config.ts: bounds.demo.haltMs: 20000 ms is looser than the contract's 10000 ms .*give at most 10000/,
    );
    expect(() => boundsFor(scenario, { minRatio: 0.5 }, 'cfg')).toThrow(/give at least 0.95/);
    expect(() => boundsFor(scenario, { speedMs: 1 }, 'cfg')).toThrow(
      /scenario demo has no such bound; its bounds: haltMs \(ms, contract 10000\)/,
    );
  });

  it('are read back from the history, the contract value when none was recorded', () => {
    const history = new History();
    expect(boundValue(history, haltMs)).toBe(10_000);
    history.record('observation', boundsInForce.name, { haltMs: 3_000 });
    expect(boundValue(history, haltMs)).toBe(3_000);
    expect(boundValue(history, ratio)).toBe(0.95);
  });

  it('have camelCase names with their unit', () => {
    expect(() => contractBound({ ...haltMs, name: 'halt-ms' })).toThrow(/camelCase/);
  });
});
