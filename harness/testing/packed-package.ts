import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';

const repository = resolve(import.meta.dirname, '..', '..');

/**
 * A scenario as a stack repository writes it, typed against the package: the store port of its
 * host answers. Its mutant's patch is the user's `scenarios/no-store.patch`.
 */
export const userStoreScenario = `import { defineScenario, fail, lastObservation, observationKey, pass } from 'sovh';
import { awaitStoreServing } from 'sovh/probes';

const storeSeen = observationKey<{ connected: boolean }>('store-seen');

export default defineScenario({
  name: 'store-answers',
  description: 'The store port of the host answers from its zone',
  needs: [],
  sections: ['store'],
  topology: {
    zones: [{ name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.40.0.0/16'] }],
    machines: [{ name: 'home', zone: 'sovereign' }],
    hosts: [{ name: 'vm1', machine: 'home' }],
  },
  async run(context) {
    // A first boot serves within seconds; a stack that has not by then is judged closed.
    const connected = await awaitStoreServing(context.world, context.world.host('vm1'), 30_000).then(
      () => true,
      () => false,
    );
    context.observe(storeSeen, { connected });
  },
  checks: [
    {
      name: 'store-open',
      description: 'the store port accepts a connection',
      verify: (history) =>
        lastObservation(history, storeSeen).data.connected ? pass('open') : fail('closed'),
    },
  ],
  mutants: [
    {
      name: 'no-store',
      description: 'the store never starts',
      expectFailing: ['store-open'],
      stackPatch: new URL('./no-store.patch', import.meta.url).pathname,
    },
  ],
});
`;

/** This repository packed as npm would publish it, installed into an empty directory. */
export interface PackedInstall {
  /** The user's directory: a package.json of their own and `sovh` as a dev dependency. */
  user: string;
  /** `npx` in the user's directory, as a stack repository's CI would call it. */
  npx(args: string[], env?: Record<string, string>): ReturnType<typeof runNpx>;
  remove(): Promise<void>;
}

function runNpx(cwd: string, args: string[], env: Record<string, string>) {
  return execa('npx', args, { cwd, env, reject: false, all: true });
}

/**
 * `npm pack` of this repository, installed into an empty directory outside it with the versions
 * of TypeScript and Node's types a stack repository would add (dependencies from npm's cache, as
 * `npm ci` left them).
 */
export async function installPackedHarness(): Promise<PackedInstall> {
  const packDir = await mkdtemp(join(tmpdir(), 'sovh-pack-'));
  const user = await mkdtemp(join(tmpdir(), 'sovh-user-'));
  const remove = async () => {
    await rm(packDir, { recursive: true, force: true });
    await rm(user, { recursive: true, force: true });
  };
  try {
    const packed = await execa('npm', ['pack', '--json', '--pack-destination', packDir], {
      cwd: repository,
    });
    const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
    await writeFile(
      join(user, 'package.json'),
      JSON.stringify({ name: 'my-stack', private: true, type: 'module' }),
    );
    await execa(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--save-dev',
        join(packDir, filename),
        'typescript@5.9.3',
        '@types/node@20.19.43',
      ],
      { cwd: user },
    );
  } catch (error) {
    await remove();
    throw error;
  }
  return { user, npx: (args, env = {}) => runNpx(user, args, env), remove };
}
