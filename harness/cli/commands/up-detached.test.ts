import { describe, expect, it } from 'vitest';
import { detachedArguments } from './up-detached.ts';

describe('detachedArguments', () => {
  it('drops --detach and hands the supervisor the seed this command chose', () => {
    expect(
      detachedArguments(['up', 'boot-binding', '--detach', '--name', 'bb'], {
        seed: 77,
        given: false,
      }),
    ).toEqual(['up', 'boot-binding', '--name', 'bb', '--seed', '77']);
  });

  it('leaves a given seed where it was, once', () => {
    expect(
      detachedArguments(['up', 'boot-binding', '--seed', '12', '--detach'], {
        seed: 12,
        given: true,
      }),
    ).toEqual(['up', 'boot-binding', '--seed', '12']);
  });
});
