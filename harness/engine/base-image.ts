import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { execa } from 'execa';
import type { Logger } from '../util/log.ts';
import { SovhError } from '../util/sovh-error.ts';
import { aptInstall } from './apt-installer.ts';
import { commandExists, readHostSystem } from './host-system.ts';
import type { BaseImageRecipe } from './image-recipe.ts';

/**
 * Makes the base image without a registry: debootstrap a minimal Debian from the machine's mirror
 * into a temporary directory and import it into the engine.
 */
export async function buildBaseImage(
  docker: Docker,
  recipe: BaseImageRecipe,
  tag: string,
  mirror: string,
  log: Logger,
): Promise<void> {
  const system = await readHostSystem();
  if (!system.isRoot) {
    throw new SovhError(
      'BASE_IMAGE_NEEDS_ROOT',
      `the base image is made with debootstrap, which needs root; run the first build as root ` +
        `(later runs reuse the image ${tag}).`,
    );
  }
  if (!(await commandExists('debootstrap'))) {
    await aptInstall(['debootstrap'], 'building the base image', log);
  }
  const dir = await mkdtemp(join(tmpdir(), 'sovh-base-'));
  const rootfs = join(dir, 'rootfs');
  try {
    log.info(
      `  base: debootstrap --variant=${recipe.variant} ${recipe.suite} from ${mirror} (about a minute)`,
    );
    const bootstrap = execa(
      'debootstrap',
      [`--variant=${recipe.variant}`, recipe.suite, rootfs, mirror],
      {
        all: true,
        reject: false,
      },
    );
    const lines: string[] = [];
    let lastPhase = '';
    bootstrap.all.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lines.push(line);
        // debootstrap prints a line per package; show only phase changes. It retrieves and
        // validates package by package, so both are one phase here.
        const step = /^I: (Retrieving|Validating|Extracting|Installing|Unpacking|Configuring)/.exec(
          line,
        )?.[1];
        const phase = step === 'Retrieving' || step === 'Validating' ? 'downloading' : step;
        if (phase !== undefined && phase !== lastPhase) {
          lastPhase = phase;
          log.info(`  base: ${phase.toLowerCase()} packages`);
        }
        log.detail(`  base: ${line}`);
      }
    });
    const result = await bootstrap;
    if (result.exitCode !== 0) {
      throw new SovhError(
        'IMAGE_BUILD_FAILED',
        `building image base failed: debootstrap exited ${result.exitCode}. Last lines:\n` +
          lines
            .slice(-20)
            .map((l) => `  | ${l}`)
            .join('\n'),
      );
    }
    log.info(`  base: importing into the engine as ${tag}`);
    const [repo, version] = tag.split(':');
    const tar = execa('tar', ['-C', rootfs, '-c', '.'], { buffer: false });
    const importStream = await docker.importImage(tar.stdout, { repo, tag: version });
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(importStream, (error: Error | null) => {
        if (error === null) resolve();
        else reject(error);
      });
    });
    await tar;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
