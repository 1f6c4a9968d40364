import { awaitServing } from '../checks/probes/serving-probe.ts';
import { labelKeys } from '../runtime/labels.ts';
import type { RunEnvironment } from '../scenario/environment.ts';
import { prepareWorldImages } from '../scenario/scenario-images.ts';
import { resolveTopology } from '../topology/topology-validator.ts';
import { silentLogger } from '../util/log.ts';
import { World } from '../world/world.ts';
import { knownSimKinds } from '../../sims/registry.ts';
import { round, timed } from './bench-stats.ts';
import type { Benchmark, BenchTable } from './benchmark.ts';
import { openBenchSession } from './bench-world.ts';

const cellSizes = [10, 20];

function cellTopology(hosts: number) {
  return resolveTopology(
    {
      zones: [
        { name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.62.0.0/16'] },
      ],
      cells: [{ name: 'cell-a', zone: 'sovereign' }],
      services: [
        { name: 'kms', kind: 'kms', zone: 'sovereign', cell: 'cell-a' },
        { name: 'hsm-a', kind: 'hsm', zone: 'sovereign', cell: 'cell-a' },
      ],
      hosts: Array.from({ length: hosts }, (_, i) => ({
        name: `node${i + 1}`,
        zone: 'sovereign',
        cell: 'cell-a',
      })),
    },
    { knownServiceKinds: knownSimKinds() },
  );
}

/** Memory in use by the session's containers of each role (bytes). */
async function memoryByRole(
  environment: RunEnvironment,
  sessionId: string,
): Promise<Map<string, number>> {
  const { docker } = environment.engine;
  const containers = await docker.listContainers({
    filters: { label: [`${labelKeys.session}=${sessionId}`] },
  });
  const byRole = new Map<string, number>();
  for (const c of containers) {
    const stats = (await docker.getContainer(c.Id).stats({ stream: false })) as {
      memory_stats: { usage?: number };
    };
    const role = c.Labels[labelKeys.role] ?? 'other';
    byRole.set(role, (byRole.get(role) ?? 0) + (stats.memory_stats.usage ?? 0));
  }
  return byRole;
}

/**
 * A cell of 10 and of 20 hosts with its KMS and HSM: the time until the world is up (containers
 * started) and until every host's store serves (TPM unseal, KMIP, HSM unwrap done), and the
 * memory each host costs (its stack, its machine pod and its swtpm).
 */
const cellBringUp: Benchmark = {
  name: 'cell-bring-up',
  description: 'bring-up of a cell of 10 and 20 hosts with KMS and HSM; memory per host',
  async run(environment) {
    const rows: (string | number)[][] = [];
    for (const size of cellSizes) {
      const topology = cellTopology(size);
      const images = await prepareWorldImages(environment.images, topology, undefined);
      const session = await openBenchSession(environment, 'cell');
      try {
        environment.log.info(`cell-bring-up: ${size} hosts`);
        const started = performance.now();
        const world = await World.bringUp({ session, topology, images, log: silentLogger });
        const upMs = performance.now() - started;
        await Promise.all(world.allHosts().map((h) => awaitServing(world, h, 600_000)));
        const servingMs = performance.now() - started;
        const memory = await memoryByRole(environment, session.id);
        const perHost = (role: string) => (memory.get(role) ?? 0) / size / 2 ** 20;
        rows.push([
          size,
          round(upMs / 1000),
          round(servingMs / 1000),
          round(perHost('host')),
          round(perHost('host') + perHost('machine') + perHost('tpm')),
        ]);
      } finally {
        const down = await timed(() => session.teardown());
        environment.log.info(
          `cell-bring-up: ${size} hosts torn down in ${round(down.ms / 1000)} s`,
        );
      }
    }
    const tables: BenchTable[] = [
      {
        title: 'a cell with its KMS and HSM: bring-up and memory per host',
        columns: [
          'hosts',
          'world up (s)',
          'all stores serving (s)',
          'MiB per host (stack)',
          'MiB per host (stack + pod + swtpm)',
        ],
        rows,
        note: 'serving = every host booted, unsealed its KEK, got its data key from the KMS and unwrapped it through the HSM; memory from docker stats right after',
      },
    ];
    return tables;
  },
};

export default cellBringUp;
