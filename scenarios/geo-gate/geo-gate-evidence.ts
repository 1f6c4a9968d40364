import { nodeAddress } from '../../harness/checks/probes/serving-probe.ts';
import { tcpConnect, type TcpProbe } from '../../harness/checks/probes/tcp-probe.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { observerName } from '../../harness/topology/address-plan.ts';
import { waitUntil } from '../../harness/util/wait-until.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import type { Handshake } from '../../sims/sovereign-api/handshake-log.ts';
import { asSovereignApi } from '../../sims/sovereign-api/sovereign-api.ts';
import { expectedGeoipDatabase, sha256Hex } from './geoip-database.ts';

/** The gate's port and files (CONTRACT.md, "The GeoIP gate"). */
export const gatePort = 9443;
/** Boots on a shared machine are slow: the KEK is unsealed in the TPM, the fence loaded first. */
export const bootTimeoutMs = 180_000;
const statsSocket = '/run/residency/haproxy.sock';
const residencyLog = '/var/lib/residency/log/residency.log';

export async function awaitGate(context: ScenarioContext, host: HostVm): Promise<TcpProbe> {
  const observer = context.world.observer(host.spec.zone);
  return waitUntil(
    async () => {
      const probe = await tcpConnect(observer, host.address, gatePort, 2);
      return probe.connected ? probe : undefined;
    },
    {
      what: `the GeoIP gate of ${host.name}`,
      expected: 'accepting connections from its zone',
      timeoutMs: bootTimeoutMs,
      // Each try is an exec in a container: a second apart keeps a boot wait cheap.
      intervalMs: 1_000,
    },
  );
}

export interface GateSessionObservation {
  from: string;
  zone: string;
  clientAddress: string;
  /** Whether the client's TCP connection to the gate port was accepted at all (reachability). */
  reached: TcpProbe;
  ok: boolean;
  /** The backend's answer as the client got it, or curl's error. */
  detail: string;
  command: string;
}

/**
 * One HTTPS session to the backend through a host's gate, from a zone's observer: the client
 * verifies the backend's certificate, so an answer can only have come from the backend.
 */
export async function observeGateSession(
  context: ScenarioContext,
  host: HostVm,
  zone: string,
  backend: string,
): Promise<GateSessionObservation> {
  const api = asSovereignApi(context.world.sim(backend));
  const observer = context.world.observer(zone);
  const reached = await tcpConnect(observer, host.address, gatePort, 3);
  const caPath = `/tmp/${backend}-ca.pem`;
  await observer.writeFile(caPath, api.caCertificate);
  const command = [
    'curl',
    '-sS',
    '-m',
    '5',
    '--cacert',
    caPath,
    '--connect-to',
    `${backend}:443:${host.address}:${gatePort}`,
    `https://${backend}/`,
  ];
  const result = await observer.exec(command, { timeoutMs: 15_000 });
  return context.observe<GateSessionObservation>('gate-session', {
    from: observer.nodeName,
    zone,
    clientAddress: nodeAddress(context.world, observerName(zone)),
    reached,
    ok: result.exitCode === 0,
    detail: (result.exitCode === 0 ? result.stdout : result.stderr).trim(),
    command: command.join(' '),
  });
}

export interface BackendSessionsObservation {
  backend: string;
  gateAddress: string;
  handshakes: Handshake[];
}

export async function observeBackend(context: ScenarioContext, host: HostVm, backend: string) {
  const api = asSovereignApi(context.world.sim(backend));
  return context.observe<BackendSessionsObservation>('backend-sessions', {
    backend,
    gateAddress: host.address,
    handshakes: await api.handshakes(),
  });
}

async function haproxy(host: HostVm, command: string): Promise<string> {
  const script = `import socket; s = socket.socket(socket.AF_UNIX); s.connect("${statsSocket}"); s.sendall(b"${command}\\n"); print(s.makefile().read())`;
  return (await host.container.run(['python3', '-c', script], { timeoutMs: 10_000 })).stdout;
}

export interface GateConfigurationObservation {
  expectedDatabase: string;
  expectedSha256: string;
  /** The map files HAProxy itself says it loaded (`show map`). */
  loadedMaps: string[];
  loadedContent?: string;
  loadedSha256?: string;
  maxconn?: number;
  somaxconn?: number;
  showMap: string;
}

/**
 * What the gate runs with, asked of HAProxy and the host's kernel rather than of the stack: the
 * map files HAProxy loaded (and their bytes), its maxconn, and the network namespace's somaxconn;
 * next to the database the harness derives from the host's site file.
 */
export async function observeGateConfiguration(
  context: ScenarioContext,
  host: HostVm,
): Promise<GateConfigurationObservation> {
  const site = JSON.parse(
    (await host.container.run(['cat', '/etc/residency/site.json'])).stdout,
  ) as {
    domesticCidrs: string[];
    zone: { jurisdiction: string };
  };
  const expectedDatabase = expectedGeoipDatabase(site);
  const showMap = await haproxy(host, 'show map');
  const loadedMaps = [...showMap.matchAll(/\((\/[^)]+\.map)\)/g)].map((m) => m[1] ?? '');
  const first = loadedMaps[0];
  const loadedContent =
    first === undefined ? undefined : (await host.container.run(['cat', first])).stdout;
  const info = await haproxy(host, 'show info');
  const somaxconn = (
    await host.container.exec(['cat', '/proc/sys/net/core/somaxconn'])
  ).stdout.trim();
  return context.observe<GateConfigurationObservation>('gate-configuration', {
    expectedDatabase,
    expectedSha256: sha256Hex(expectedDatabase),
    loadedMaps,
    loadedContent,
    loadedSha256: loadedContent === undefined ? undefined : sha256Hex(loadedContent),
    maxconn: Number(/^Maxconn: (\d+)$/m.exec(info)?.[1] ?? Number.NaN),
    somaxconn: Number(somaxconn),
    showMap: showMap.trim(),
  });
}

export interface FenceLogObservation {
  lines: string[];
}

export async function observeFenceLog(context: ScenarioContext, host: HostVm) {
  const log = (await host.container.exec(['cat', residencyLog], { timeoutMs: 10_000 })).stdout;
  return context.observe<FenceLogObservation>('fence-log', {
    lines: log
      .split('\n')
      .filter((l) => l.includes('GEOGRAPHIC_FENCE_ERROR') && l.includes('GeoIP gate')),
  });
}
