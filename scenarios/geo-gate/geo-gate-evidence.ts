import {
  holdConnectionBurst,
  listenQueue,
  openFileLimit,
  type BurstWave,
  type ListenQueue,
} from '../../harness/checks/probes/connection-burst.ts';
import { vmLogLines } from '../../harness/checks/probes/custody-evidence.ts';
import { machineProbe } from '../../harness/checks/probes/machine-probe.ts';
import { nodeAddress } from '../../harness/checks/probes/serving-probe.ts';
import {
  awaitTcpListening,
  tcpConnect,
  type TcpProbe,
} from '../../harness/checks/probes/tcp-probe.ts';
import { canonicalGeoipDatabase, gateLimits, sha256Hex } from '../../harness/contract/geo-gate.ts';
import { hostPaths } from '../../harness/contract/host-paths.ts';
import { hostPorts } from '../../harness/contract/host-ports.ts';
import { logMarkers } from '../../harness/contract/log-markers.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { observerName } from '../../harness/topology/address-plan.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import type { Handshake } from '../../sims/sovereign-api/handshake-log.ts';
import { asSovereignApi } from '../../sims/sovereign-api/sovereign-api.ts';

/** Boots on a shared machine are slow: the KEK is unsealed in the TPM, the fence loaded first. */
export const bootTimeoutMs = 180_000;
/** File descriptors a proxy needs per relayed session: the client's and the backend's. */
const filesPerSession = 2;
/** Files a process keeps for itself (listeners, logs, pollers), left out of the burst. */
const reservedFiles = 256;
/** The second wave: enough to fill the contract's listen backlog, and some it must drop. */
const queueWave = gateLimits.listenBacklog + 904;

export interface GateSessionObservation {
  zone: string;
  clientAddress: string;
  /** The address the client called: the host's own, or one outside every domestic CIDR. */
  calledAddress: string;
  destination: 'host' | 'foreign';
  /** Whether the client's TCP connection to the gate port was accepted at all (reachability). */
  reached: TcpProbe;
  ok: boolean;
  /** The backend's answer as the client got it, or curl's error. */
  detail: string;
  command: string;
}

export interface BackendSessionsObservation {
  backend: string;
  gateAddress: string;
  handshakes: Handshake[];
}

export interface FenceLogObservation {
  lines: string[];
}

export interface DatabasePinObservation {
  /** The database the harness derives from its own topology (never from the host's files). */
  expectedDatabase: string;
  expectedSha256: string;
  /** The stack's audit log lines that pin a GeoIP database, read from the VM's disk. */
  pinLines: string[];
}

export interface GateBurstObservation {
  /** The open-file limit of the engine's containers: what one proxy process can hold here. */
  openFileLimit: number;
  /** Sessions the first wave opens: the contract's, or as many as that limit allows. */
  sessionsWanted: number;
  /** Relayed connections the backend held from the gate before the burst. */
  heldBefore: number;
  first: BurstWave;
  /** Relayed connections the backend held from the gate while the first wave was held. */
  admitted: number;
  second: BurstWave;
  /** The gate listener's accept queue at its fullest while both waves were held. */
  queue?: ListenQueue;
}

/** The typed names of geo-gate's observations: the schedule writes them, the checks read them. */
export const observed = {
  session: observationKey<GateSessionObservation>('gate-session'),
  backend: observationKey<BackendSessionsObservation>('backend-sessions'),
  fenceLog: observationKey<FenceLogObservation>('fence-log'),
  databasePin: observationKey<DatabasePinObservation>('geoip-database-pin'),
  burst: observationKey<GateBurstObservation>('gate-burst'),
};

export async function awaitGate(context: ScenarioContext, host: HostVm): Promise<TcpProbe> {
  return awaitTcpListening(
    context.world.observer(host.spec.zone),
    { address: host.address, port: hostPorts.geoGate },
    { what: `the GeoIP gate of ${host.name}`, timeoutMs: bootTimeoutMs },
  );
}

/**
 * One HTTPS session to the backend through a host's gate, from a zone's observer, at the host's
 * address or at another address of its machine: the client verifies the backend's certificate,
 * so an answer can only have come from the backend.
 */
export async function observeGateSession(
  context: ScenarioContext,
  options: GateSessionOptions,
): Promise<GateSessionObservation> {
  return context.observe(observed.session, await gateSession(context, options));
}

interface GateSessionOptions {
  zone: string;
  calledAddress: string;
  destination: 'host' | 'foreign';
  backend: string;
}

/** observeGateSession's session, not yet recorded: a step may record it under another name. */
export async function gateSession(
  context: ScenarioContext,
  options: GateSessionOptions,
): Promise<GateSessionObservation> {
  const { zone, calledAddress, backend } = options;
  const api = asSovereignApi(context.world.sim(backend));
  const observer = context.world.observer(zone);
  const reached = await tcpConnect(observer, calledAddress, hostPorts.geoGate, 3);
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
    `${backend}:443:${calledAddress}:${hostPorts.geoGate}`,
    `https://${backend}/`,
  ];
  const result = await observer.exec(command, { timeoutMs: 15_000 });
  return {
    zone,
    clientAddress: nodeAddress(context.world, observerName(zone)),
    calledAddress,
    destination: options.destination,
    reached,
    ok: result.exitCode === 0,
    detail: (result.exitCode === 0 ? result.stdout : result.stderr).trim(),
    command: command.join(' '),
  };
}

export async function observeBackend(context: ScenarioContext, host: HostVm, backend: string) {
  const api = asSovereignApi(context.world.sim(backend));
  return context.observe(observed.backend, {
    backend,
    gateAddress: host.address,
    handshakes: await api.handshakes(),
  });
}

/** The stack's fence lines (its second witness), read from the VM's disk by the harness. */
export async function observeFenceLog(context: ScenarioContext, host: HostVm) {
  const lines = await vmLogLines(
    context.world,
    host,
    hostPaths.residencyLog,
    logMarkers.geographicFence,
  );
  return context.observe(observed.fenceLog, { lines });
}

/**
 * The database the host's gate must run, derived by the harness from its own topology (every CIDR
 * of every sovereign zone, the host's jurisdiction), beside the pin the stack wrote in its audit
 * log. The host's site file is not read: the stack could have rewritten it.
 */
export async function observeDatabasePin(context: ScenarioContext, host: HostVm) {
  const { topology } = context.world;
  const domesticCidrs = topology.zones
    .filter((z) => z.kind === 'sovereign')
    .flatMap((z) => z.cidrs);
  const jurisdiction = topology.zones.find((z) => z.name === host.spec.zone)?.jurisdiction ?? '';
  const expectedDatabase = canonicalGeoipDatabase(domesticCidrs, jurisdiction);
  const pinLines = await vmLogLines(
    context.world,
    host,
    hostPaths.residencyAuditLog,
    logMarkers.geoipDatabase,
  );
  return context.observe(observed.databasePin, {
    expectedDatabase,
    expectedSha256: sha256Hex(expectedDatabase),
    pinLines,
  });
}

/** Polls the backend's held connections from the gate until they stop growing or reach `wanted`. */
async function settledCount(read: () => Promise<number>, wanted: number): Promise<number> {
  let last = -1;
  let stableSinceMs = Date.now();
  for (const startedMs = Date.now(); Date.now() - startedMs < 20_000;) {
    const count = await read();
    if (count >= wanted) return count;
    if (count !== last) [last, stableSinceMs] = [count, Date.now()];
    else if (Date.now() - stableSinceMs >= 3_000) return count;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return last;
}

/**
 * The gate's connection limits under a burst, not as configured values: from the zone observer,
 * a first wave of as many sessions as the contract's limit (or as this machine's open-file limit
 * lets one proxy process hold, two files per session) is opened and held; the backend's own
 * socket table counts the sessions the gate relayed. Then a second wave while the first is held:
 * the gate takes no more, and the kernel must queue the contract's backlog for it, read from the
 * listener's accept queue in the host's network namespace with the harness's own `ss`.
 */
export async function observeBurst(context: ScenarioContext, host: HostVm, backend: string) {
  const api = asSovereignApi(context.world.sim(backend));
  const observer = context.world.observer(host.spec.zone);
  const probe = await machineProbe(context.world, host.machine);
  const limit = await openFileLimit(probe);
  const sessionsWanted = Math.min(
    gateLimits.concurrentSessions,
    Math.floor((limit - reservedFiles) / filesPerSession),
  );
  const heldBefore = await api.relayedConnectionsFrom(host.address);
  const fullest = async (): Promise<ListenQueue | undefined> => {
    let top: ListenQueue | undefined;
    for (let i = 0; i < 6; i++) {
      const queue = await listenQueue(probe, hostPorts.geoGate);
      if (queue !== undefined && (top === undefined || queue.waiting > top.waiting)) top = queue;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    return top;
  };
  const burst = await holdConnectionBurst(
    observer,
    {
      address: host.address,
      port: hostPorts.geoGate,
      first: sessionsWanted,
      firstTimeoutS: 10,
      second: queueWave,
      secondTimeoutS: 3,
    },
    {
      afterFirst: () =>
        settledCount(() => api.relayedConnectionsFrom(host.address), heldBefore + sessionsWanted),
      afterSecond: fullest,
    },
  );
  return context.observe(observed.burst, {
    openFileLimit: limit,
    sessionsWanted,
    heldBefore,
    first: burst.first,
    admitted: burst.afterFirst - heldBefore,
    second: burst.second,
    queue: burst.afterSecond,
  });
}
