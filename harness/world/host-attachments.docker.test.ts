import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knownSimKinds } from '../../sims/registry.ts';
import { RunSession } from '../runtime/run-session.ts';
import { prepareEnvironment, type RunEnvironment } from '../scenario/environment.ts';
import { prepareWorldImages } from '../scenario/scenario-images.ts';
import { resolveTopology } from '../topology/topology-validator.ts';
import { consoleLogger } from '../util/log.ts';
import { World } from './world.ts';

/** What simulators attach to hosts reaches the hosts in their reach, at every boot, and no other. */
describe('simulator attachments to hosts', () => {
  let environment: RunEnvironment;
  let session: RunSession;
  let world: World;

  beforeAll(async () => {
    environment = await prepareEnvironment({ log: consoleLogger() });
    const topology = resolveTopology(
      {
        zones: [
          { name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.92.0.0/16'] },
        ],
        cells: [
          { name: 'cell-a', zone: 'sovereign' },
          { name: 'cell-b', zone: 'sovereign' },
        ],
        services: [{ name: 'hsm-a', kind: 'hsm', zone: 'sovereign', cell: 'cell-a' }],
        hosts: [
          { name: 'in-reach', zone: 'sovereign', cell: 'cell-a' },
          { name: 'out-of-reach', zone: 'sovereign', cell: 'cell-b' },
        ],
      },
      { knownServiceKinds: knownSimKinds() },
    );
    const images = await prepareWorldImages(environment.images, topology, undefined);
    session = await RunSession.open({
      docker: environment.engine.docker,
      namespace: environment.namespace,
      log: environment.log,
      scenario: 'attachments-test',
    });
    world = await World.bringUp({ session, topology, images, log: environment.log });
  });

  afterAll(async () => {
    await session.teardown();
  });

  const look =
    'test -S /run/hsm/p11.sock && echo socket; stat -c %a /etc/residency/hsm/pin; touch /run/hsm/x 2>/dev/null || echo read-only';

  it('gives a host of the HSM\u2019s cell its socket (read-only) and PIN file', async () => {
    const result = await world.host('in-reach').container.sh(look);
    expect(result.stdout.split('\n')).toEqual(['socket', '600', 'read-only', '']);
  });

  it('gives a host of another cell nothing', async () => {
    const result = await world.host('out-of-reach').container.exec(['sh', '-c', look]);
    expect(result.stdout).not.toMatch(/socket/);
  });

  it('attaches them again at the next boot', async () => {
    const vm = world.host('in-reach');
    const machine = vm.machine;
    await vm.shutdown();
    await vm.boot(machine);
    const result = await vm.container.sh(look);
    expect(result.stdout).toMatch(/^socket\n600\n/);
  });
});
