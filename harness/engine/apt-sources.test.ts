import { describe, expect, it } from 'vitest';
import { debianMirror, mirrorsFromSources } from './apt-sources.ts';

describe('apt sources', () => {
  it('reads Debian mirrors from one-line and deb822 sources, skipping security and disabled ones', () => {
    const list =
      'deb http://mirror.example/debian bookworm main\ndeb http://security.example/debian-security bookworm-security main\n# deb http://old/debian buster main';
    const deb822 = [
      'Types: deb\nURIs: http://deb.example/debian\nSuites: bookworm bookworm-updates\nComponents: main',
      'Types: deb\nURIs: http://deb.example/debian-security\nSuites: bookworm-security\nComponents: main',
      'Types: deb\nURIs: http://disabled.example/debian\nSuites: bookworm\nEnabled: no',
    ].join('\n\n');
    expect(mirrorsFromSources(list, deb822)).toEqual([
      'http://mirror.example/debian',
      'http://deb.example/debian',
    ]);
  });

  it('prefers SOVH_DEBIAN_MIRROR when set', async () => {
    await expect(debianMirror({ SOVH_DEBIAN_MIRROR: 'http://local.mirror/debian/' })).resolves.toBe(
      'http://local.mirror/debian',
    );
  });
});
