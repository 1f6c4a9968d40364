import type { StartedContainer } from '../../runtime/started-container.ts';
import type { StartedMachine } from '../../world/started-machine.ts';
import type { World } from '../../world/world.ts';

const probes = new WeakMap<StartedMachine, Promise<StartedContainer>>();

/**
 * The harness's probe on a machine: a container of the observer image joined to the machine's
 * network namespace, as the TPM is. Its traffic leaves through the host's own routes and firewall
 * (one namespace, one kernel policy), so what it can reach is what the host can reach, measured
 * with the harness's tools (curl, dig, mtr, iperf3, tcpdump) instead of the stack's. It outlives
 * the host's boots; the run's teardown removes it.
 */
export function machineProbe(world: World, machine: StartedMachine): Promise<StartedContainer> {
  let probe = probes.get(machine);
  if (probe === undefined) {
    const builder = world.session
      .container(world.images.observer, `${machine.name}-probe`)
      .withNode(machine.name, 'machine-probe')
      .withCommandChannel()
      .withNetworkNamespaceOf(machine.pod)
      // The host's resolv.conf, so that lookups go where the host's own would.
      .withVolumeFile(machine.resolvConfFile, '/etc/resolv.conf', { readOnly: true })
      // NET_RAW: mtr and ping. NET_ADMIN: reading the namespace's firewall and routes (iptables-save).
      .withCapabilities('NET_RAW', 'NET_ADMIN')
      .withInit();
    probe = machine.admit(() => builder.start());
    probes.set(machine, probe);
  }
  return probe;
}
