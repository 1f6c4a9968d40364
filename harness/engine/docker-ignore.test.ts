import { describe, expect, it } from 'vitest';
import { dockerIgnore } from './docker-ignore.ts';

describe('.dockerignore', () => {
  it('leaves out what its patterns match, directories whole, the last match winning', () => {
    const ignored = dockerIgnore(
      [
        '# not for the image',
        'node_modules',
        '/reports/',
        '**/*.log',
        '*.md',
        '!README.md',
        '',
      ].join('\n'),
    );
    expect(ignored('node_modules/sovh/package.json')).toBe(true);
    expect(ignored('reports/run-1/results.json')).toBe(true);
    expect(ignored('rootfs/var/log/x.log')).toBe(true);
    expect(ignored('NOTES.md')).toBe(true);
    expect(ignored('README.md')).toBe(false);
    expect(ignored('rootfs/etc/stack.conf')).toBe(false);
    expect(ignored('Dockerfile')).toBe(false);
  });
});
