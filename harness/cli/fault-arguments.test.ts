import { describe, expect, it } from 'vitest';
import { parseFaultArguments } from './fault-arguments.ts';

describe('parseFaultArguments', () => {
  it('reads --name value and --name=value pairs, and --for as a duration', () => {
    expect(parseFaultArguments(['--hsm', 'hsm-a', '--for=30s'])).toEqual({
      parameters: { hsm: 'hsm-a' },
      forMs: 30_000,
    });
    expect(parseFaultArguments(['--state=degraded', '--machine', 'rack1'])).toEqual({
      parameters: { state: 'degraded', machine: 'rack1' },
    });
    expect(parseFaultArguments([])).toEqual({ parameters: {} });
  });

  it('refuses a bare word, a flag without a value, a repeated flag and a bad duration', () => {
    expect(() => parseFaultArguments(['hsm-a'])).toThrow(
      /unexpected "hsm-a": give parameters as --NAME VALUE/,
    );
    expect(() => parseFaultArguments(['--hsm'])).toThrow('--hsm needs a value: --hsm VALUE');
    expect(() => parseFaultArguments(['--hsm', '--for', '3s'])).toThrow('--hsm needs a value');
    expect(() => parseFaultArguments(['--hsm', 'a', '--hsm', 'b'])).toThrow('--hsm is given twice');
    expect(() => parseFaultArguments(['--for', 'later'])).toThrow(
      /--for "later" is not a duration/,
    );
  });
});
