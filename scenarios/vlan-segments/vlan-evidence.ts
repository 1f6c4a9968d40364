import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { asRouter, type StartedRouter } from '../../sims/router/started-router.ts';
import {
  deviceOfAddress,
  expectedPortVlans,
  portVlans,
  removeVlanInterfaceCommand,
  stationAddressCommand,
  switchCommands,
  vlanInterfaceCommands,
  vlanInterfaceName,
} from './vlan-commands.ts';
import { readVlanFrames } from './vlan-frames.ts';
import { markerBroadcastCommand, parseVlanProbe, vlanProbeCommand } from './vlan-probes.ts';
import {
  observed,
  type PortCapture,
  type SwitchObservation,
  type VlanJoin,
} from './vlan-observations.ts';
import { portProfileOf, prefixLength } from './vlan-plan.ts';

const execTimeoutMs = 15_000;

async function runAll(container: StartedContainer, commands: readonly string[][]): Promise<void> {
  for (const command of commands) await container.run(command, { timeoutMs: execTimeoutMs });
}

/** Joins the switch's legs into its VLAN-filtering bridge, each port as the plan has it. */
export async function wireSwitch(
  context: ScenarioContext,
  name: string,
): Promise<SwitchObservation> {
  const router = asRouter(context.world.sim(name));
  const ports = router.legs.map((leg) => ({
    zone: leg.zone,
    device: leg.device,
    profile: portProfileOf(leg.zone),
  }));
  await runAll(router.container, switchCommands(ports));
  // Read back from the switch's kernel: the ids each port really carries are the evidence.
  const shown = await router.container.run(['bridge', '-j', 'vlan', 'show'], {
    timeoutMs: execTimeoutMs,
  });
  const carried = portVlans(shown.stdout);
  // A switch that does not hold the plan would make every verdict about some other world.
  const expected = expectedPortVlans(ports);
  const astray = Object.entries(expected).filter(
    ([device, ids]) => (carried[device] ?? []).join(',') !== ids.join(','),
  );
  if (astray.length > 0)
    throw new SovhError(
      'SCENARIO_STEP_FAILED',
      `switch ${name} does not carry the planned VLANs: ${astray.map(([device, ids]) => `${device} carries ${(carried[device] ?? []).join(',') || 'nothing'}, planned ${ids.join(',')}`).join('; ')}`,
    );
  return context.observe(observed.switchPorts, {
    name,
    ports: ports.map((p) => ({ ...p, carries: carried[p.device] ?? [] })),
  });
}

/** Gives a station its VLAN address on its only leg: its access port, where the VLAN is untagged. */
export async function addressStation(
  context: ScenarioContext,
  name: string,
  address: string,
): Promise<void> {
  const router = asRouter(context.world.sim(name));
  const leg = router.legs[0];
  if (leg === undefined)
    throw new SovhError('SCENARIO_STEP_FAILED', `station ${name} has no leg to address`);
  await router.container.run(stationAddressCommand(leg.device, address, prefixLength), {
    timeoutMs: execTimeoutMs,
  });
}

/** How long the VLAN probe listens for ARP replies. */
const probeWaitMs = 3_000;

/**
 * The host's machine makes itself a sub-interface of the VLAN on its trunk interface and probes
 * out of it (vlanProbeCommand). It runs in the machine's pod: the network namespace the host
 * boots into, with the harness's own tools, so any stack under test is judged the same way.
 */
export async function joinVlan(
  host: HostVm,
  vlan: { id: number },
  options: { address: string; target: string; markerHex: string },
): Promise<VlanJoin> {
  const pod = host.machine.pod;
  const addresses = await pod.run(['ip', '-o', '-4', 'address', 'show'], {
    timeoutMs: execTimeoutMs,
  });
  const parent = deviceOfAddress(addresses.stdout, host.address);
  if (parent === undefined)
    throw new SovhError(
      'SCENARIO_STEP_FAILED',
      `machine of host ${host.name} holds no interface with its address ${host.address}: ${addresses.stdout.trim()}`,
    );
  const device = vlanInterfaceName(vlan.id);
  const base = { vlan: vlan.id, parent, device, target: options.target };
  for (const command of vlanInterfaceCommands(parent, vlan.id, options.address, prefixLength)) {
    const made = await pod.exec(command, { timeoutMs: execTimeoutMs });
    if (made.exitCode !== 0) {
      const refusal = `${command.join(' ')}: ${made.stderr.trim() || `exit ${String(made.exitCode)}`}`;
      return { ...base, created: false, refusal, sent: 0, received: 0, output: refusal };
    }
  }
  const probe = await pod.exec(
    vlanProbeCommand({
      device,
      source: options.address,
      target: options.target,
      markerHex: options.markerHex,
      waitMs: probeWaitMs,
    }),
    { timeoutMs: execTimeoutMs },
  );
  const output = `${probe.stdout}${probe.stderr}`.trim();
  const read = parseVlanProbe(probe.stdout);
  if (probe.exitCode !== 0 || read === undefined)
    throw new SovhError(
      'SCENARIO_STEP_FAILED',
      `the VLAN probe on ${device} of host ${host.name}'s machine did not run: ${output}`,
    );
  return { ...base, created: true, ...read, output };
}

/** Removes the host's sub-interface of a VLAN, so that the next attempt starts from the trunk alone. */
export async function leaveVlan(host: HostVm, vlan: { id: number }): Promise<void> {
  await host.machine.pod.exec(removeVlanInterfaceCommand(vlan.id), { timeoutMs: execTimeoutMs });
}

/**
 * Captures a station's access port (its own leg, so the file is Ethernet with tags kept) while
 * `action` runs; the station first broadcasts its own control marker on that port.
 */
export async function capturePort(
  context: ScenarioContext,
  station: string,
  options: {
    name: string;
    markers: Readonly<Record<string, Buffer>>;
    control?: { markerHex: string };
  },
  action: () => Promise<void>,
): Promise<PortCapture> {
  const router: StartedRouter = asRouter(context.world.sim(station));
  const leg = router.legs[0];
  if (leg === undefined)
    throw new SovhError('SCENARIO_STEP_FAILED', `station ${station} has no leg to capture`);
  const capture = await router.startCapture(options.name, { zone: leg.zone });
  try {
    if (options.control !== undefined)
      await router.container.run(markerBroadcastCommand(leg.device, options.control.markerHex), {
        timeoutMs: execTimeoutMs,
      });
    await action();
  } finally {
    await capture.stop();
  }
  const seen = await capture.stop();
  const attachment = `${options.name}.pcap`;
  context.attach(attachment, seen.pcap, 'application/vnd.tcpdump.pcap', {
    description: `tcpdump on ${station}'s access port (${leg.zone}), every frame`,
  });
  return {
    station,
    zone: leg.zone,
    device: seen.device,
    packets: seen.packets,
    frames: readVlanFrames(seen.pcap, options.markers),
    ...(seen.droppedByKernel === undefined ? {} : { droppedByKernel: seen.droppedByKernel }),
    attachment,
  };
}
