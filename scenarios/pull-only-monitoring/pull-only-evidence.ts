import { hostPorts } from '../../harness/contract/host-ports.ts';
import { machineProbe } from '../../harness/checks/probes/machine-probe.ts';
import { tcpConnect, type TcpProbe } from '../../harness/checks/probes/tcp-probe.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { waitUntil } from '../../harness/util/wait-until.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';

export const monitoringPort = hostPorts.metrics;
/**
 * Ports a foreign scanner tries beside the ones the kernel says are listening: common services,
 * and every port the contract has a host serve.
 */
export const wellKnownPorts = [
  22,
  80,
  179,
  443,
  hostPorts.store,
  hostPorts.metrics,
  hostPorts.geoGate,
];
/**
 * How long the agent may take to answer once the host's network controls are in place (CONTRACT.md,
 * monitoring): the reference answers within a second; a stack that never answers costs this much.
 */
const pullTimeoutMs = 30_000;

export interface MonitorPull {
  from: string;
  url: string;
  status: number;
  body: string;
}

async function pull(context: ScenarioContext, zone: string, url: string): Promise<MonitorPull> {
  const result = await context.world
    .observer(zone)
    .exec(['curl', '-sS', '-m', '3', '-w', '\nHTTP_STATUS:%{http_code}', url], {
      timeoutMs: 10_000,
    });
  const status = Number(/HTTP_STATUS:(\d{3})/.exec(result.stdout)?.[1] ?? '0');
  return {
    from: `observer-${zone}`,
    url,
    status,
    body: result.stdout.replace(/\nHTTP_STATUS:\d{3}$/, ''),
  };
}

/** The sovereign monitor (the sovereign zone's observer) pulls the host's metrics, once the agent serves. */
export async function observeSovereignPull(
  context: ScenarioContext,
  host: HostVm,
  observation = 'sovereign-pull',
): Promise<MonitorPull> {
  const url = `http://${host.address}:${monitoringPort}/metrics`;
  const result = await waitUntil(
    async () => {
      const attempt = await pull(context, host.spec.zone, url);
      return attempt.status === 200 ? attempt : undefined;
    },
    {
      what: `the monitoring agent of ${host.name} (${url})`,
      expected: 'answering the sovereign monitor',
      timeoutMs: pullTimeoutMs,
      intervalMs: 1_000,
    },
  ).catch(async () => pull(context, host.spec.zone, url));
  return context.observe(observation, result);
}

/** Every TCP port the host's network namespace listens on beyond loopback, as the kernel says (ss). */
export async function observeListeningPorts(
  context: ScenarioContext,
  host: HostVm,
): Promise<number[]> {
  const probe = await machineProbe(context.world, host.machine);
  const result = await probe.run(['ss', '-H', '-l', '-t', '-n'], { timeoutMs: 10_000 });
  const ports = result.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[3] ?? '')
    .filter((local) => local !== '' && !local.startsWith('127.') && !local.startsWith('[::1]'))
    .map((local) => Number(local.slice(local.lastIndexOf(':') + 1)))
    .filter((port) => Number.isInteger(port) && port > 0);
  const unique = [...new Set(ports)].sort((a, b) => a - b);
  context.observe('listening-ports', { host: host.name, ports: unique, ss: result.stdout });
  return unique;
}

export interface ForeignScan {
  from: string;
  fromAddress: string;
  target: string;
  attempts: TcpProbe[];
}

/** A foreign region's observer tries every port. */
export async function observeForeignScan(
  context: ScenarioContext,
  host: HostVm,
  zone: string,
  ports: readonly number[],
): Promise<ForeignScan> {
  const observer = context.world.observer(zone);
  const fromAddress =
    context.world.describe().nodes.find((n) => n.name === `observer-${zone}`)?.address ?? '';
  const attempts = await Promise.all(
    ports.map((port) => tcpConnect(observer, host.address, port, 3)),
  );
  return context.observe('foreign-scan', {
    from: `observer-${zone}`,
    fromAddress,
    target: host.address,
    attempts,
  });
}

/** The machine's network settings, read from the machine itself (not from the stack). */
export async function observeNetworkTuning(context: ScenarioContext, host: HostVm) {
  const machine = host.machine;
  const [somaxconn, logMartians, rpFilter, acceptSourceRoute] = await Promise.all([
    machine.sysctl('net.core.somaxconn'),
    machine.sysctl('net.ipv4.conf.all.log_martians'),
    machine.sysctl('net.ipv4.conf.all.rp_filter'),
    machine.sysctl('net.ipv4.conf.all.accept_source_route'),
  ]);
  return context.observe('network-tuning', {
    machine: machine.name,
    somaxconn,
    logMartians,
    rpFilter,
    acceptSourceRoute,
  });
}
