import { probeStore, nodeAddress } from '../../harness/checks/probes/serving-probe.ts';
import type { TcpProbe } from '../../harness/checks/probes/tcp-probe.ts';
import {
  tlsRequest,
  type TlsProbe,
  type TlsVersion,
} from '../../harness/checks/probes/tls-probe.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { observerName } from '../../harness/topology/address-plan.ts';
import { waitUntil } from '../../harness/util/wait-until.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import type { Handshake } from '../../sims/sovereign-api/handshake-log.ts';
import { asSovereignApi, sovereignApiPort } from '../../sims/sovereign-api/sovereign-api.ts';

export const residencyLogPath = '/var/lib/residency/log/residency.log';
/** A boot unseals the KEK in the TPM and loads the fence first: slow on a busy machine. */
export const bootTimeoutMs = 180_000;

export interface ObserverHandshakeObservation extends TlsProbe {
  endpoint: string;
}

/**
 * The harness's own look at an endpoint, independent of the stack: a request from the zone
 * observer offering one TLS version. It shows what the endpoint really offers.
 */
export async function observeEndpointFromObserver(
  context: ScenarioContext,
  zone: string,
  endpoint: string,
  offered: TlsVersion,
) {
  const api = asSovereignApi(context.world.sim(endpoint));
  const probe = await tlsRequest(
    context.world.observer(zone),
    { address: api.address, port: sovereignApiPort, caCertificate: api.caCertificate },
    offered,
  );
  return context.observe<ObserverHandshakeObservation>('observer-handshake', {
    endpoint,
    ...probe,
  });
}

export interface StackCallObservation {
  phase: string;
  endpoint: string;
  host: string;
  exitCode: number;
  /** The stack client's JSON answer, or undefined when it printed none. */
  result?: { ok?: boolean; protocol?: string; error?: string; status?: number };
  output: string;
}

/** Asks the stack's own client (residency-api) on a host to call a sovereign API. */
export async function observeStackCall(
  context: ScenarioContext,
  host: HostVm,
  endpoint: string,
  phase: string,
) {
  const run = await host.container.exec(['residency-api', 'call', endpoint, '/'], {
    timeoutMs: 30_000,
  });
  let result: StackCallObservation['result'];
  try {
    result = JSON.parse(
      run.stdout.trim().split('\n').pop() ?? '',
    ) as StackCallObservation['result'];
  } catch {
    result = undefined;
  }
  return context.observe<StackCallObservation>('stack-call', {
    phase,
    endpoint,
    host: host.name,
    exitCode: run.exitCode,
    result,
    output: `${run.stdout}${run.stderr}`.trim().slice(-2_000),
  });
}

export interface EndpointHandshakesObservation {
  phase: string;
  endpoint: string;
  hostAddress: string;
  observerAddress: string;
  handshakes: Handshake[];
}

/** Every handshake an endpoint saw, from the endpoint's own logs, with the addresses to tell clients apart. */
export async function observeEndpointHandshakes(
  context: ScenarioContext,
  host: HostVm,
  endpoint: string,
  phase: string,
) {
  const api = asSovereignApi(context.world.sim(endpoint));
  return context.observe<EndpointHandshakesObservation>('endpoint-handshakes', {
    phase,
    endpoint,
    hostAddress: host.address,
    observerAddress: nodeAddress(context.world, observerName(host.machine.spec.zone)),
    handshakes: await api.handshakes(),
  });
}

export interface CappedPolicyObservation {
  store: TcpProbe;
  mismatchLines: string[];
}

/**
 * After a reboot under a capped crypto policy: waits until the stack has either named the
 * mismatch or serves anyway, then records whether its store answers from the zone.
 */
export async function observeCappedBoot(
  context: ScenarioContext,
  host: HostVm,
): Promise<CappedPolicyObservation> {
  const mismatchLines = await waitUntil(
    async () => {
      const log = (await host.container.exec(['cat', residencyLogPath], { timeoutMs: 10_000 }))
        .stdout;
      const lines = log.split('\n').filter((l) => l.includes('TLS_RUNTIME_MISMATCH'));
      if (lines.length > 0) return lines;
      return (await probeStore(context.world, host)).connected ? [] : undefined;
    },
    {
      what: `host ${host.name} under the capped policy`,
      expected: 'refusing or serving',
      timeoutMs: bootTimeoutMs,
      // Each try is an exec in a container: a second apart keeps a boot wait cheap.
      intervalMs: 1_000,
    },
  );
  // The log line only ends the wait; give a store that would start anyway the time to show up.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const store = await probeStore(context.world, host);
  return context.observe<CappedPolicyObservation>('capped-policy-boot', { store, mismatchLines });
}
