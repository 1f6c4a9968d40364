import { vmLogLines } from '../../harness/checks/probes/custody-evidence.ts';
import { nodeAddress, probeStore } from '../../harness/checks/probes/serving-probe.ts';
import {
  runStackOperation,
  type StackOperationRun,
} from '../../harness/checks/probes/stack-operation.ts';
import type { TcpProbe } from '../../harness/checks/probes/tcp-probe.ts';
import {
  tlsRequest,
  type TlsProbe,
  type TlsVersion,
} from '../../harness/checks/probes/tls-probe.ts';
import { hostPaths } from '../../harness/contract/host-paths.ts';
import { logMarkers } from '../../harness/contract/log-markers.ts';
import {
  stackOperations,
  type SovereignApiCallResult,
} from '../../harness/contract/stack-operations.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { observerName } from '../../harness/topology/address-plan.ts';
import { waitUntil } from '../../harness/util/wait-until.ts';
import { editHostRoot } from '../../harness/world/host-root-edit.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import type { Handshake } from '../../sims/sovereign-api/handshake-log.ts';
import { asSovereignApi, sovereignApiPort } from '../../sims/sovereign-api/sovereign-api.ts';

/** A boot unseals the KEK in the TPM and loads the fence first: slow on a busy machine. */
export const bootTimeoutMs = 180_000;

/** The harness's own requests to an endpoint, sent on purpose so that its log can be trusted. */
export interface ControlObservation {
  endpoint: string;
  probes: TlsProbe[];
}

/** One call of the stack's client (stack operation call-sovereign-api). */
export interface StackCallObservation extends StackOperationRun<SovereignApiCallResult> {
  phase: string;
  endpoint: string;
}

export interface EndpointHandshakesObservation {
  phase: string;
  endpoint: string;
  hostAddress: string;
  observerAddress: string;
  handshakes: Handshake[];
}

/** The residency log's policy refusals, read off the VM disk by the harness after the calls. */
export interface PolicyRefusalsObservation {
  phase: string;
  lines: string[];
}

export interface CappedPolicyObservation {
  store: TcpProbe;
  mismatchLines: string[];
}

/** The typed names of tls13-only's observations: the schedule writes them, the checks read them. */
export const observed = {
  control: observationKey<ControlObservation>('endpoint-control'),
  stackCall: observationKey<StackCallObservation>('stack-call'),
  handshakes: observationKey<EndpointHandshakesObservation>('endpoint-handshakes'),
  cappedBoot: observationKey<CappedPolicyObservation>('capped-policy-boot'),
  skewedBoot: observationKey<CappedPolicyObservation>('skewed-runtime-boot'),
  brokenBoot: observationKey<CappedPolicyObservation>('broken-openssl-boot'),
  policyRefusals: observationKey<PolicyRefusalsObservation>('policy-refusals-logged'),
};

/** A request from the zone observer: what the endpoint's log must show if it logs at all. */
export interface ControlRequest {
  offered: TlsVersion;
  /** Skip certificate verification: the request reaches any endpoint, whatever it presents. */
  insecure?: boolean;
}

/**
 * The positive control of an endpoint: requests the harness sends it from the zone observer, so
 * that its log is shown, in the same run, to record both a request that got through and a
 * handshake it refused.
 */
export async function observeControl(
  context: ScenarioContext,
  zone: string,
  endpoint: string,
  requests: readonly ControlRequest[],
) {
  const api = asSovereignApi(context.world.sim(endpoint));
  const probes: TlsProbe[] = [];
  for (const request of requests) {
    probes.push(
      await tlsRequest(
        context.world.observer(zone),
        {
          address: api.address,
          port: sovereignApiPort,
          caCertificate: api.caCertificate,
          insecure: request.insecure,
        },
        request.offered,
      ),
    );
  }
  return context.observe(observed.control, { endpoint, probes });
}

/** Asks the stack to call a sovereign API with its own client (a stack operation of the contract). */
export async function observeStackCall(
  context: ScenarioContext,
  host: HostVm,
  endpoint: string,
  phase: string,
) {
  const run = await runStackOperation(host, stackOperations.callSovereignApi, endpoint, '/');
  return context.observe(observed.stackCall, { phase, endpoint, ...run });
}

/** Every handshake an endpoint saw, from the endpoint's own logs, with the addresses to tell clients apart. */
export async function observeEndpointHandshakes(
  context: ScenarioContext,
  host: HostVm,
  endpoint: string,
  phase: string,
) {
  const api = asSovereignApi(context.world.sim(endpoint));
  return context.observe(observed.handshakes, {
    phase,
    endpoint,
    hostAddress: host.address,
    observerAddress: nodeAddress(context.world, observerName(host.machine.spec.zone)),
    handshakes: await api.handshakes(),
  });
}

/** Every `TLS_POLICY_REFUSAL` line of the host's residency log, read from its disk. */
export async function observePolicyRefusals(context: ScenarioContext, host: HostVm, phase: string) {
  const lines = await vmLogLines(
    context.world,
    host,
    hostPaths.residencyLog,
    logMarkers.tlsPolicyRefusal,
  );
  return context.observe(observed.policyRefusals, { phase, lines });
}

/** The residency log's TLS_RUNTIME_MISMATCH lines, every boot's, read from the VM's disk. */
export function runtimeMismatchLines(context: ScenarioContext, host: HostVm): Promise<string[]> {
  return vmLogLines(context.world, host, hostPaths.residencyLog, logMarkers.tlsRuntimeMismatch);
}

/**
 * After a reboot under a runtime that cannot hold the policy (a capped crypto policy, an installed
 * OpenSSL that is not the linked one): waits until the stack has either named the mismatch or
 * serves anyway, then records whether its store answers from the zone, under `key`. The log is
 * read from the VM's disk with the harness's own reader, not through the stack.
 */
export async function observeCappedBoot(
  context: ScenarioContext,
  host: HostVm,
  key: typeof observed.cappedBoot = observed.cappedBoot,
  /** Mismatch lines earlier boots left in the log (it is on the VM's disk): not this boot's. */
  earlierLines = 0,
): Promise<CappedPolicyObservation> {
  const mismatch = async () => (await runtimeMismatchLines(context, host)).slice(earlierLines);
  await waitUntil(
    async () => {
      if ((await mismatch()).length > 0) return true;
      return (await probeStore(context.world, host)).connected ? true : undefined;
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
  return context.observe(key, { store, mismatchLines: await mismatch() });
}

const plantScript = 'if [ -e "$1" ]; then cp "$1" "$2"; else mkdir -p "${1%/*}"; fi; cat >> "$1"';
const restoreScript = 'if [ -e "$2" ]; then mv "$2" "$1"; else rm -f "$1"; fi';

/**
 * Adds an authority to the host's system trust store from outside the stack (HostRoot), as an
 * operator who installs an enterprise CA on a running system would: the untrusted endpoint's
 * authority, so that a client that also loads the system's roots makes a session with it. The
 * stack's calls after this are judged with it in place; the returned function restores the
 * store as it was.
 */
export async function trustInSystemStore(
  host: HostVm,
  authorityPem: string,
): Promise<() => Promise<void>> {
  const bundle = hostPaths.systemTrustBundle;
  const saved = `${bundle}.before-sovh`;
  await editHostRoot(host, bundle, (root) =>
    // A stack image without a system store gets one holding only this authority.
    root.exec(['sh', '-ec', plantScript, 'sh', root.path(bundle), root.path(saved)], {
      stdin: authorityPem.endsWith('\n') ? authorityPem : `${authorityPem}\n`,
      timeoutMs: 10_000,
    }),
  );
  return () =>
    editHostRoot(host, bundle, (root) =>
      root.exec(['sh', '-ec', restoreScript, 'sh', root.path(bundle), root.path(saved)], {
        timeoutMs: 10_000,
      }),
    );
}
