import { setTimeout as sleep } from 'node:timers/promises';
import { vmLogLines } from '../../harness/checks/probes/custody-evidence.ts';
import { probeStore } from '../../harness/checks/probes/serving-probe.ts';
import { tcpConnect, type TcpProbe } from '../../harness/checks/probes/tcp-probe.ts';
import { hostPaths } from '../../harness/contract/host-paths.ts';
import { hostPorts } from '../../harness/contract/host-ports.ts';
import { logMarkers } from '../../harness/contract/log-markers.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { waitUntil } from '../../harness/util/wait-until.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import type { Handshake } from '../../sims/sovereign-api/handshake-log.ts';
import { asSovereignApi } from '../../sims/sovereign-api/sovereign-api.ts';
import { bootTimeoutMs, gateSession, type GateSessionObservation } from './geo-gate-evidence.ts';

/** The boot of a host whose site file names a gate backend outside the domestic CIDRs. */
export interface ForeignBackendBootObservation {
  host: string;
  backend: string;
  /** The host's store and gate ports, probed from its zone once its stack had decided. */
  store: TcpProbe;
  gate: TcpProbe;
  /** A session the harness tried through the host's gate, toward that backend. */
  session: GateSessionObservation;
  /** The residency log's GEOGRAPHIC_FENCE_ERROR lines that name the backend. */
  fenceLines: string[];
  /** Sessions the backend's own log shows relayed by the host. */
  relayedByHost: Handshake[];
}

export const foreignBackendBoot =
  observationKey<ForeignBackendBootObservation>('foreign-backend-boot');

/** A stack that names the backend and then serves anyway is given this long to open. */
const openGraceMs = 5_000;

/**
 * Waits until the host's stack has decided (named the backend in a fence line, or serves), gives
 * a stack that warns and serves anyway the time to open, then probes the host's ports, tries a
 * session through its gate, and reads the backend's own log.
 */
export async function observeForeignBackendBoot(
  context: ScenarioContext,
  host: HostVm,
  backend: string,
): Promise<ForeignBackendBootObservation> {
  const { world } = context;
  const fenceLines = async () =>
    (await vmLogLines(world, host, hostPaths.residencyLog, logMarkers.geographicFence)).filter(
      (line) => line.includes(backend),
    );
  const observer = world.observer(host.spec.zone);
  const anyOpen = async () =>
    (await probeStore(world, host)).connected ||
    (await tcpConnect(observer, host.address, hostPorts.geoGate, 2)).connected;
  await waitUntil(
    async () => ((await fenceLines()).length > 0 || (await anyOpen()) ? true : undefined),
    {
      what: `host ${host.name}, whose site names ${backend} behind its gate`,
      expected: 'a GEOGRAPHIC_FENCE_ERROR naming the backend, or a port open',
      timeoutMs: bootTimeoutMs,
      intervalMs: 1_000,
    },
  );
  const graceEnd = Date.now() + openGraceMs;
  while (Date.now() < graceEnd && !(await anyOpen())) await sleep(500);
  const store = await probeStore(world, host);
  const gate = await tcpConnect(observer, host.address, hostPorts.geoGate, 3);
  const session = await gateSession(context, {
    zone: host.spec.zone,
    calledAddress: host.address,
    destination: 'host',
    backend,
  });
  const handshakes = await asSovereignApi(world.sim(backend)).handshakes();
  return context.observe(foreignBackendBoot, {
    host: host.name,
    backend,
    store,
    gate,
    session,
    fenceLines: await fenceLines(),
    relayedByHost: handshakes.filter((h) => h.client === host.address),
  });
}
