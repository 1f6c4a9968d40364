import { describe, expect, it } from 'vitest';
import { mergeSiteSection } from './site-file-builder.ts';

describe('site file sections from simulators', () => {
  it('concatenates lists that several simulators contribute to', () => {
    const site: Record<string, unknown> = { version: 1 };
    mergeSiteSection(site, { sovereignApis: [{ name: 'a' }] });
    mergeSiteSection(site, { sovereignApis: [{ name: 'b' }] });
    expect(site.sovereignApis).toEqual([{ name: 'a' }, { name: 'b' }]);
  });

  it('merges objects key by key and sets other values', () => {
    const site: Record<string, unknown> = { dns: { servers: ['10.0.0.2'] }, version: 1 };
    mergeSiteSection(site, { dns: { search: 'zone' }, kms: 'x' });
    expect(site).toEqual({ dns: { servers: ['10.0.0.2'], search: 'zone' }, kms: 'x', version: 1 });
  });
});
