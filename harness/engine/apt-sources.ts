import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SovhError } from '../util/sovh-error.ts';

/**
 * Finds the Debian mirror this machine's apt is configured with, so that image builds use the same
 * mirror (the only outside address builds may reach) instead of a hard-coded host.
 */
export function mirrorsFromSources(listText: string, deb822Text: string): string[] {
  const mirrors: string[] = [];
  for (const line of listText.split('\n')) {
    const match = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
    if (match?.[1] !== undefined && !/security/.test(match[2] ?? '')) mirrors.push(match[1]);
  }
  for (const stanza of deb822Text.split(/\n\s*\n/)) {
    const types = /^Types:\s*(.+)$/im.exec(stanza)?.[1] ?? '';
    const suites = /^Suites:\s*(.+)$/im.exec(stanza)?.[1] ?? '';
    const uris = /^URIs:\s*(.+)$/im.exec(stanza)?.[1] ?? '';
    const enabled = !/^Enabled:\s*no/im.test(stanza);
    if (enabled && types.split(/\s+/).includes('deb') && !/security/.test(suites)) {
      mirrors.push(...uris.split(/\s+/).filter(Boolean));
    }
  }
  return [...new Set(mirrors.map((m) => m.replace(/\/+$/, '')))].filter((m) =>
    /^https?:\/\//.test(m),
  );
}

async function readAll(dir: string, suffix: string): Promise<string> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const texts = await Promise.all(
    names
      .filter((n) => n.endsWith(suffix))
      .map((n) => readFile(join(dir, n), 'utf8').catch(() => '')),
  );
  return texts.join('\n\n');
}

/** The mirror for debootstrap: SOVH_DEBIAN_MIRROR, else the first Debian mirror apt names. */
export async function debianMirror(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const override = env.SOVH_DEBIAN_MIRROR;
  if (override !== undefined && override !== '') return override.replace(/\/+$/, '');
  const listText =
    (await readFile('/etc/apt/sources.list', 'utf8').catch(() => '')) +
    '\n' +
    (await readAll('/etc/apt/sources.list.d', '.list'));
  const deb822Text = await readAll('/etc/apt/sources.list.d', '.sources');
  const debian = mirrorsFromSources(listText, deb822Text).filter((m) => /debian/.test(m));
  const mirror = debian[0];
  if (mirror === undefined) {
    throw new SovhError(
      'NO_DEBIAN_MIRROR',
      'no Debian mirror found in /etc/apt/sources.list or /etc/apt/sources.list.d; the base image ' +
        'is built from one. Set SOVH_DEBIAN_MIRROR to a Debian mirror URL, e.g. ' +
        'SOVH_DEBIAN_MIRROR=http://deb.debian.org/debian',
    );
  }
  return mirror;
}
