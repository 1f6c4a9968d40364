import { readFile } from 'node:fs/promises';
import { execa } from 'execa';

/** Facts about the machine the harness runs on that decide what it may install by itself. */
export interface HostSystem {
  isRoot: boolean;
  /** True on Debian and its derivatives (Ubuntu), where apt-get can install what is missing. */
  isDebianLike: boolean;
  osName: string;
}

export async function readHostSystem(): Promise<HostSystem> {
  const osRelease = await readFile('/etc/os-release', 'utf8').catch(() => '');
  const field = (name: string) =>
    new RegExp(`^${name}="?([^"\\n]*)"?$`, 'm').exec(osRelease)?.[1] ?? '';
  const ids = `${field('ID')} ${field('ID_LIKE')}`.split(/\s+/);
  return {
    isRoot: process.getuid?.() === 0,
    isDebianLike: ids.includes('debian') || ids.includes('ubuntu'),
    osName: field('PRETTY_NAME') || 'an unknown system',
  };
}

export async function commandExists(command: string): Promise<boolean> {
  const result = await execa('sh', ['-c', `command -v ${command}`], { reject: false });
  return result.exitCode === 0;
}
