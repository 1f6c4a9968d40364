import { hostPaths } from '../../harness/contract/host-paths.ts';
import { readVmFile } from '../../harness/checks/probes/disk-forensics.ts';
import {
  icmpEcho,
  udpSend,
  type DatagramProbe,
} from '../../harness/checks/probes/datagram-probe.ts';
import { machineProbe } from '../../harness/checks/probes/machine-probe.ts';
import {
  asRanges,
  sweepProtocols,
  type SweepPlan,
  type SweepResult,
} from '../../harness/checks/probes/protocol-sweep.ts';
import { tcpConnect, type TcpProbe } from '../../harness/checks/probes/tcp-probe.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import { waitUntil } from '../../harness/util/wait-until.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import type { World } from '../../harness/world/world.ts';
import { asEndpoint, type EndpointConnection } from '../../sims/endpoint/endpoint.ts';
import { hasEgressFilter, nftOutputPolicy } from './kernel-ruleset.ts';
import { messagesLogPath } from './network-zones.ts';

const bootTimeoutMs = 60_000;
const refusalPattern = /(EGRESS_FENCE_ERROR|KERNEL_TUNING_ERROR|ROUTING_ERROR|SITE_FILE_ERROR)/;

/**
 * Waits until a host's network controls are in place after its first boot on its machine, seen
 * with the harness's own tools from the machine probe: the namespace has an egress filter (an nft
 * base chain on the output hook, whichever front end made it, or an iptables-legacy OUTPUT rule)
 * and the machine's resolv.conf, empty before the boot, has been written. A refusal the contract
 * names, in the residency log on the VM disk, ends the wait at once. The wait only paces the
 * scenario; checks rest on probes. (A later boot on the same machine would find the previous
 * boot's fence and file: every caller waits after the first boot.)
 */
export async function awaitNetworkControls(world: World, host: HostVm): Promise<string> {
  const probe = await machineProbe(world, host.machine);
  return waitUntil(
    async () => {
      const log = (await readVmFile(world, host, hostPaths.residencyLog))?.toString() ?? '';
      const refusal = log.split('\n').find((l) => refusalPattern.test(l));
      if (refusal !== undefined)
        throw new SovhError(
          'SCENARIO_STEP_FAILED',
          `host ${host.name} refused its network controls: ${refusal}`,
        );
      const [nft, legacy, resolvConf] = await Promise.all([
        probe.exec(['nft', 'list', 'ruleset'], { timeoutMs: 10_000 }),
        probe.exec(['iptables-legacy-save'], { timeoutMs: 10_000 }),
        probe.exec(['cat', hostPaths.resolvConf], { timeoutMs: 5_000 }),
      ]);
      const fenced = hasEgressFilter(nft.stdout, legacy.stdout);
      const resolvers = resolvConf.stdout.trim();
      return fenced && resolvers !== ''
        ? `output filter in the namespace; resolvers written: ${resolvers}`
        : undefined;
    },
    {
      what: `the network controls of host ${host.name} (an output filter in its namespace, its resolv.conf written)`,
      expected: 'in place',
      timeoutMs: bootTimeoutMs,
      intervalMs: 500,
    },
  );
}

export interface TargetAttempt extends TcpProbe {
  target: string;
  /** What the scenario means this target to be. */
  role: string;
}

export interface ConnectAttempts {
  phase: string;
  host: string;
  attempts: TargetAttempt[];
}

/**
 * Tries TCP connections from the host's machine (the harness's probe in its network namespace,
 * so through the host's own routes and firewall) and records each outcome.
 */
export async function observeConnectAttempts(
  context: ScenarioContext,
  host: HostVm,
  phase: string,
  targets: readonly { role: string; address: string; port: number }[],
): Promise<ConnectAttempts> {
  const probe = await machineProbe(context.world, host.machine);
  const attempts = await Promise.all(
    targets.map(async (t) => ({
      ...(await tcpConnect(probe, t.address, t.port, 3)),
      role: t.role,
    })),
  );
  return context.observe('connect-attempts', { phase, host: host.name, attempts });
}

/** A sweep of ports and IP protocols from the host's machine toward one address, as sent. */
export interface ProtocolSweep extends SweepResult {
  phase: string;
  host: string;
  address: string;
  /** What was sent: "tcp 1-1024,...", "udp ...", "ip 4,41,...". */
  plan: string;
}
export const protocolSweep = observationKey<ProtocolSweep>('protocol-sweep');

/**
 * Sends one packet per TCP port, UDP port and IP protocol of the plan from the host's machine
 * (through the host's own routes and firewall) and records the sender's view. What crossed is
 * for the exchange's capture to say: nothing listens, so no answer is awaited.
 */
export async function observeProtocolSweep(
  context: ScenarioContext,
  host: HostVm,
  phase: string,
  plan: SweepPlan,
): Promise<ProtocolSweep> {
  const probe = await machineProbe(context.world, host.machine);
  const result = await sweepProtocols(probe, plan);
  return context.observe(protocolSweep, {
    phase,
    host: host.name,
    address: plan.address,
    plan: `tcp ${asRanges(plan.tcpPorts)}; udp ${asRanges(plan.udpPorts)}; ip ${asRanges(plan.ipProtocols)}`,
    ...result,
  });
}

export interface DatagramAttempt extends DatagramProbe {
  /** What the scenario means this target to be. */
  role: string;
  /** The UDP port; 0 for ICMP. */
  port: number;
  /** The UDP source port, when the probe chose one. */
  sourcePort?: number;
}

export interface DatagramAttempts {
  phase: string;
  host: string;
  attempts: DatagramAttempt[];
}

export const datagramAttempts = observationKey<DatagramAttempts>('datagram-attempts');

/**
 * Sends UDP datagrams and ICMP echo requests from the host's machine (the harness's probe in its
 * network namespace: through the host's own routes and firewall) and records what the sender saw.
 * What arrived is read at the targets; this is the sending side's view.
 */
export async function observeDatagramAttempts(
  context: ScenarioContext,
  host: HostVm,
  phase: string,
  targets: readonly {
    role: string;
    proto: 'udp' | 'icmp';
    address: string;
    port?: number;
    /** UDP from this source port rather than an ephemeral one (each at most once per call). */
    sourcePort?: number;
  }[],
): Promise<DatagramAttempts> {
  const probe = await machineProbe(context.world, host.machine);
  const attempts = await Promise.all(
    targets.map(async (t): Promise<DatagramAttempt> => {
      const port = t.proto === 'udp' ? (t.port ?? 0) : 0;
      const sent =
        t.proto === 'udp'
          ? await udpSend(probe, t.address, port, `sovh-egress-${phase}`, 2, 1, t.sourcePort)
          : await icmpEcho(probe, t.address);
      return {
        ...sent,
        role: t.role,
        port,
        ...(t.sourcePort === undefined ? {} : { sourcePort: t.sourcePort }),
      };
    }),
  );
  return context.observe(datagramAttempts, { phase, host: host.name, attempts });
}

export interface EndpointRecord {
  phase: string;
  endpoint: string;
  address: string;
  /** Connections the endpoint recorded whose source is in the given CIDRs. */
  fromWatched: EndpointConnection[];
  total: number;
}

/** What each endpoint recorded (its own log), counting connections from the watched CIDRs. */
export async function observeEndpointRecords(
  context: ScenarioContext,
  phase: string,
  endpoints: readonly string[],
  watchedCidrs: readonly string[],
): Promise<EndpointRecord[]> {
  const records = await Promise.all(
    endpoints.map(async (name) => {
      const endpoint = asEndpoint(context.world.sim(name));
      const [all, fromWatched] = await Promise.all([
        endpoint.connections(),
        endpoint.connectionsFrom(watchedCidrs),
      ]);
      return { phase, endpoint: name, address: endpoint.address, fromWatched, total: all.length };
    }),
  );
  for (const record of records) context.observe('endpoint-record', record);
  return records;
}

export interface MessagesLog {
  phase: string;
  host: string;
  present: boolean;
  lines: string[];
}

/**
 * Waits, bounded, until the host's messages log (read from its disk, outside the stack) holds a
 * line `matches` accepts: a stack that writes its record a moment after the event is not judged
 * on a read made too early. It gives up quietly at the bound; the check judges what is there.
 */
export async function awaitMessagesLine(
  context: ScenarioContext,
  host: HostVm,
  matches: (line: string) => boolean,
  timeoutMs: number,
): Promise<void> {
  await waitUntil(
    async () => {
      const content = await readVmFile(context.world, host, messagesLogPath);
      return content?.toString().split('\n').some(matches) === true ? true : undefined;
    },
    { what: `${host.name}'s messages log`, expected: 'the line', timeoutMs, intervalMs: 1_000 },
  ).catch(() => undefined);
}

/** The host's messages log, read off its VM disk from outside the VM. */
export async function observeMessagesLog(
  context: ScenarioContext,
  host: HostVm,
  phase: string,
): Promise<MessagesLog> {
  const content = await readVmFile(context.world, host, messagesLogPath);
  return context.observe('messages-log', {
    phase,
    host: host.name,
    present: content !== undefined,
    lines: (content?.toString() ?? '').split('\n').filter((l) => l.trim() !== ''),
  });
}

/**
 * The kernel's ruleset of the host's network namespace, read from the machine probe with the
 * harness's own iptables-save and nft: the output policy is DROP when either shows it, so a fence
 * made with nft is seen as well as one made with iptables.
 */
export async function observeKernelRuleset(context: ScenarioContext, host: HostVm, phase: string) {
  const probe = await machineProbe(context.world, host.machine);
  const [result, nftJson, nftText] = await Promise.all([
    probe.exec(['iptables-save'], { timeoutMs: 10_000 }),
    probe.exec(['nft', '-j', 'list', 'ruleset'], { timeoutMs: 10_000 }),
    probe.exec(['nft', 'list', 'ruleset'], { timeoutMs: 10_000 }),
  ]);
  const lines = result.stdout.split('\n');
  // The filter table's policies: other tables (raw) have chains of the same names.
  const filterStart = lines.indexOf('*filter');
  const filter =
    filterStart < 0 ? [] : lines.slice(filterStart, lines.indexOf('COMMIT', filterStart));
  const policy = (chain: string) =>
    filter.find((l) => l.startsWith(`:${chain} `))?.split(' ')[1] ?? 'unknown';
  const fromNft = nftJson.exitCode === 0 ? nftOutputPolicy(nftJson.stdout) : 'unknown';
  const fromIptables = policy('OUTPUT');
  let outputPolicy = fromIptables;
  if (fromNft === 'DROP') outputPolicy = 'DROP';
  else if (fromIptables === 'unknown') outputPolicy = fromNft;
  return context.observe('kernel-ruleset', {
    phase,
    host: host.name,
    outputPolicy,
    inputPolicy: policy('INPUT'),
    ruleCount: lines.filter((l) => l.startsWith('-A ')).length,
    text: `${result.stdout}\n# nft list ruleset\n${nftText.stdout}`,
  });
}
