import { readVmFile } from '../../harness/checks/probes/disk-forensics.ts';
import {
  icmpEcho,
  udpSend,
  type DatagramProbe,
} from '../../harness/checks/probes/datagram-probe.ts';
import { machineProbe } from '../../harness/checks/probes/machine-probe.ts';
import { tcpConnect, type TcpProbe } from '../../harness/checks/probes/tcp-probe.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import { waitUntil } from '../../harness/util/wait-until.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { asEndpoint, type EndpointConnection } from '../../sims/endpoint/endpoint.ts';
import { messagesLogPath } from './network-zones.ts';

const bootTimeoutMs = 60_000;

/**
 * Waits until a freshly booted host's network controls ran: its output says the fence was loaded
 * (or that a control refused). The output only ends the wait; checks rest on probes.
 */
export async function awaitNetworkControls(host: HostVm): Promise<string> {
  return waitUntil(
    async () => {
      const output = await host.container.logs(300);
      const refusal = output
        .split('\n')
        .find((l) =>
          /(EGRESS_FENCE_ERROR|KERNEL_TUNING_ERROR|ROUTING_ERROR|SITE_FILE_ERROR)/.test(l),
        );
      if (refusal !== undefined)
        throw new SovhError(
          'SCENARIO_STEP_FAILED',
          `host ${host.name} refused its network controls: ${refusal}`,
        );
      return output.includes('egress fence loaded') && output.includes('resolv.conf:')
        ? output
        : undefined;
    },
    {
      what: `the network controls of host ${host.name}`,
      expected: 'loaded',
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

export interface DatagramAttempt extends DatagramProbe {
  /** What the scenario means this target to be. */
  role: string;
  /** The UDP port; 0 for ICMP. */
  port: number;
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
  targets: readonly { role: string; proto: 'udp' | 'icmp'; address: string; port?: number }[],
): Promise<DatagramAttempts> {
  const probe = await machineProbe(context.world, host.machine);
  const attempts = await Promise.all(
    targets.map(async (t): Promise<DatagramAttempt> => {
      const port = t.proto === 'udp' ? (t.port ?? 0) : 0;
      const sent =
        t.proto === 'udp'
          ? await udpSend(probe, t.address, port, `sovh-egress-${phase}`)
          : await icmpEcho(probe, t.address);
      return { ...sent, role: t.role, port };
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

/** The kernel's ruleset of the host's network namespace (iptables-save from the machine probe). */
export async function observeKernelRuleset(context: ScenarioContext, host: HostVm, phase: string) {
  const probe = await machineProbe(context.world, host.machine);
  const result = await probe.exec(['iptables-save'], { timeoutMs: 10_000 });
  const lines = result.stdout.split('\n');
  // The filter table's policies: other tables (raw) have chains of the same names.
  const filterStart = lines.indexOf('*filter');
  const filter =
    filterStart < 0 ? [] : lines.slice(filterStart, lines.indexOf('COMMIT', filterStart));
  const policy = (chain: string) =>
    filter.find((l) => l.startsWith(`:${chain} `))?.split(' ')[1] ?? 'unknown';
  return context.observe('kernel-ruleset', {
    phase,
    host: host.name,
    outputPolicy: policy('OUTPUT'),
    inputPolicy: policy('INPUT'),
    ruleCount: lines.filter((l) => l.startsWith('-A ')).length,
    text: result.stdout,
  });
}
