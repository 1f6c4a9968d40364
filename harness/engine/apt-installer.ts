import { execa } from 'execa';
import type { Logger } from '../util/log.ts';
import { SovhError } from '../util/sovh-error.ts';
import { readHostSystem } from './host-system.ts';

let indexRefreshed = false;

/**
 * Installs Debian packages on the machine the harness runs on. Only called for what the harness
 * itself needs (the engine, debootstrap) and only as root on a Debian-like system; elsewhere the
 * error says which package to install by hand.
 */
export async function aptInstall(packages: string[], why: string, log: Logger): Promise<void> {
  const system = await readHostSystem();
  if (!system.isRoot || !system.isDebianLike) {
    throw new SovhError(
      'HOST_PACKAGE_MISSING',
      `${why} needs ${packages.join(', ')}, which is not installed, and the harness installs ` +
        `packages itself only as root on Debian or Ubuntu (this is ${system.osName}` +
        `${system.isRoot ? '' : ', not root'}). Install ${packages.join(' ')} with your ` +
        `package manager and run again.`,
      { details: { packages } },
    );
  }
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  if (!indexRefreshed) {
    log.info(`apt-get update (for ${packages.join(', ')})`);
    await run(['update', '-q'], env, packages);
    indexRefreshed = true;
  }
  log.info(`apt-get install ${packages.join(' ')} (${why})`);
  await run(['install', '-y', '-q', '--no-install-recommends', ...packages], env, packages);
}

async function run(args: string[], env: Record<string, string>, packages: string[]) {
  const result = await execa('apt-get', args, { env, reject: false, all: true });
  if (result.exitCode !== 0) {
    const tail = result.all.split('\n').slice(-15).join('\n');
    throw new SovhError(
      'HOST_PACKAGE_INSTALL_FAILED',
      `apt-get ${args[0] ?? ''} for ${packages.join(', ')} exited ${result.exitCode}; ` +
        `check the apt sources and the network to the Debian mirror. Last lines:\n${tail}`,
    );
  }
}
