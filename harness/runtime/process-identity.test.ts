import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  currentProcessIdentity,
  formatIdentity,
  isOwnerDead,
  parseIdentity,
} from './process-identity.ts';
import { currentNamespace, labelFilter } from './labels.ts';

describe('process identity', () => {
  it('round-trips and sees itself alive', () => {
    const me = currentProcessIdentity();
    expect(parseIdentity(formatIdentity(me))).toEqual(me);
    expect(isOwnerDead(me)).toBe(false);
  });

  it('sees a reused pid (other start time) and a gone pid as dead, a foreign host as alive', () => {
    const me = currentProcessIdentity();
    expect(isOwnerDead({ ...me, startTicks: '1' })).toBe(true);
    expect(isOwnerDead({ host: hostname(), pid: 2 ** 22 + 7, startTicks: '5' })).toBe(true);
    expect(isOwnerDead({ host: 'another-machine', pid: 1, startTicks: '1' })).toBe(false);
    expect(parseIdentity('garbage')).toBeUndefined();
  });
});

describe('labels', () => {
  it('select a namespace and a session', () => {
    expect(labelFilter('ci', 'abcd')).toEqual({
      label: ['dev.sovh.managed=true', 'dev.sovh.namespace=ci', 'dev.sovh.session=abcd'],
    });
  });

  it('reject a namespace that cannot be a label value with a fix', () => {
    expect(currentNamespace({})).toBe('default');
    expect(() => currentNamespace({ SOVH_NAMESPACE: 'Bad Space' })).toThrow(
      /use lower-case letters/,
    );
  });
});
