import { vmLogLines } from '../../harness/checks/probes/custody-evidence.ts';
import { deliverToInbox, type InboxDelivery } from '../../harness/checks/probes/envelope-inbox.ts';
import {
  findEnvelope,
  openEnvelope,
  type EnvelopeHeader,
} from '../../harness/checks/probes/envelope-inspection.ts';
import { machineProbe } from '../../harness/checks/probes/machine-probe.ts';
import { tcpStreams } from '../../harness/checks/probes/pcap-streams.ts';
import {
  runStackOperation,
  type StackOperationRun,
} from '../../harness/checks/probes/stack-operation.ts';
import {
  storeRead,
  storeRoundTrip,
  type StoreRoundTrip,
} from '../../harness/checks/probes/store-probe.ts';
import { awaitTcpListening } from '../../harness/checks/probes/tcp-probe.ts';
import { hostPaths } from '../../harness/contract/host-paths.ts';
import { hostPorts } from '../../harness/contract/host-ports.ts';
import { logMarkers } from '../../harness/contract/log-markers.ts';
import { storePort } from '../../harness/contract/site-file.ts';
import {
  stackOperations,
  type EnvelopeSendResult,
} from '../../harness/contract/stack-operations.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { asRouter } from '../../sims/router/started-router.ts';
import { asSovereignApi } from '../../sims/sovereign-api/sovereign-api.ts';

/** Several hosts boot at once on a shared machine: each unseals its KEK in its TPM, which takes a while. */
export const bootTimeoutMs = 180_000;

/** One payload the scenario sends across the exchange. */
export interface Payload {
  objectId: string;
  text: string;
}

/** One `send-envelope` stack operation. */
export interface SendObservation extends StackOperationRun<EnvelopeSendResult> {
  objectId: string;
  to: string;
}

/** One envelope found in the capture, as the harness reads and opens it. */
export interface CapturedEnvelope {
  objectId: string;
  /** The host whose relay sent it (the stream's source address). */
  sealedBy: string;
  header: EnvelopeHeader;
  headerText: string;
  ciphertextBytes: number;
  /** The harness opened it with the zone key it got from the key service itself. */
  opened: { keyId: string; ok: boolean; matchesPayload: boolean };
}

export interface ExchangeCaptureObservation {
  router: string;
  zone: string;
  packets: number;
  /** The positive control: bytes the harness sent in clear across the same leg meanwhile. */
  canary: string;
  canarySeen: boolean;
  /** Streams toward the receiver's relay, with the HTTP body each carried (hex, for replay). */
  streams: { source: string; destination: string; packets: number; bodyHex: string }[];
  /** Payloads whose bytes appear anywhere in the capture (all protocols, all ports). */
  payloadsInCapture: string[];
  envelopes: CapturedEnvelope[];
  tcpdump: string[];
}

export interface ReadBackObservation {
  host: string;
  objectId: string;
  status: number;
  matchesPayload: boolean;
  detail: string;
}

export interface DeliveryObservation extends InboxDelivery {
  host: string;
  /** The host's store afterwards: the object's GET status, and whether it serves the payload. */
  storeStatus: number;
  storeHoldsPayload: boolean;
  /** The stack's log lines naming the refusal (second witness), read from the VM's disk. */
  logLines: string[];
}

/** The typed names of sovereign-envelope's observations. */
export const observed = {
  stored: observationKey<StoreRoundTrip & { host: string }>('payload-stored'),
  send: observationKey<SendObservation>('envelope-send'),
  capture: observationKey<ExchangeCaptureObservation>('exchange-capture'),
  readBack: observationKey<ReadBackObservation>('receiver-readback'),
  foreignDelivery: observationKey<DeliveryObservation>('foreign-delivery'),
  tamperedDelivery: observationKey<DeliveryObservation>('tampered-delivery'),
};

/** Waits until a host's envelope relay takes connections on the host's own loopback. */
export async function awaitRelay(context: ScenarioContext, host: HostVm): Promise<void> {
  await awaitTcpListening(
    await machineProbe(context.world, host.machine),
    { address: '127.0.0.1', port: hostPorts.envelopeRelay },
    { what: `the envelope relay of ${host.name}`, timeoutMs: bootTimeoutMs },
  );
}

export async function storeObject(context: ScenarioContext, host: HostVm, payload: Payload) {
  const trip = await storeRoundTrip(
    context.world.observer(host.spec.zone),
    host.address,
    storePort,
    payload.objectId,
    payload.text,
  );
  return context.observe(observed.stored, { host: host.name, ...trip });
}

/** The sending host's stack seals the object and delivers it (stack operation send-envelope). */
export async function sendEnvelope(
  context: ScenarioContext,
  sender: HostVm,
  receiver: HostVm,
  objectId: string,
) {
  const run = await runStackOperation(
    sender,
    stackOperations.sendEnvelope,
    objectId,
    receiver.address,
  );
  return context.observe(observed.send, { objectId, to: receiver.name, ...run });
}

function httpBody(stream: Buffer): Buffer {
  const end = stream.indexOf('\r\n\r\n');
  return end < 0 ? Buffer.alloc(0) : stream.subarray(end + 4);
}

/**
 * Runs an action while the exchange router captures everything on the receiver's leg (every
 * protocol and port, not only the relay's), with a positive control: a canary the harness sends
 * in clear from the sending zone's observer to the receiver across the same leg. Then reads the
 * capture: whether the canary and any payload appear in it, which envelopes crossed, and whether
 * each opens under the zone key the harness got from the key service itself.
 */
export async function captureAtExchange(
  context: ScenarioContext,
  options: {
    router: string;
    senderZone: string;
    /** The hosts that send each other envelopes; the capture is on the receiver's leg. */
    sender: HostVm;
    receiver: HostVm;
    payloads: readonly Payload[];
    keyService: string;
  },
  action: () => Promise<unknown>,
): Promise<{ observation: ExchangeCaptureObservation; bodies: Buffer[] }> {
  const { receiver } = options;
  const router = asRouter(context.world.sim(options.router));
  const capture = await router.startCapture('envelope-exchange', { zone: receiver.spec.zone });
  const canary = `sovh-canary-${context.random.stream('exchange-canary').hex(8)}`;
  try {
    await context.world
      .observer(options.senderZone)
      .exec(['curl', '-s', '-m', '5', `http://${receiver.address}:${storePort}/health?${canary}`], {
        timeoutMs: 15_000,
      });
    await action();
  } finally {
    await capture.stop();
  }
  const seen = await capture.stop();
  const hostAt = new Map([options.sender, receiver].map((h) => [h.address, h.name]));
  const streams = tcpStreams(seen.pcap).filter(
    (s) => hostAt.has(s.destination) && s.destinationPort === hostPorts.envelopeRelay,
  );
  const bodies = streams.map((s) => httpBody(s.payload));
  const zoneKey = await asSovereignApi(context.world.sim(options.keyService)).zoneKey();
  const envelopes: CapturedEnvelope[] = [];
  streams.forEach((stream, i) => {
    const envelope = findEnvelope(bodies[i] ?? Buffer.alloc(0));
    if (envelope === undefined) return;
    const objectId = /^PUT \/inbox\/([^ ?]+)/.exec(stream.payload.toString('latin1'))?.[1] ?? '';
    const opened = openEnvelope(envelope, zoneKey.key);
    const payload = options.payloads.find((p) => p.objectId === objectId);
    envelopes.push({
      objectId,
      sealedBy: hostAt.get(stream.source) ?? stream.source,
      header: envelope.header,
      headerText: envelope.headerBytes.toString('utf8'),
      ciphertextBytes: envelope.ciphertext.length,
      opened: {
        keyId: zoneKey.keyId,
        ok: opened !== undefined,
        matchesPayload: payload !== undefined && opened?.toString('utf8') === payload.text,
      },
    });
  });
  const observation = context.observe(observed.capture, {
    router: options.router,
    zone: receiver.spec.zone,
    packets: seen.packets,
    canary,
    canarySeen: seen.pcap.includes(Buffer.from(canary)),
    streams: streams.map((s, i) => ({
      source: `${s.source}:${s.sourcePort}`,
      destination: `${s.destination}:${s.destinationPort}`,
      packets: s.packets,
      bodyHex: bodies[i]?.toString('hex') ?? '',
    })),
    payloadsInCapture: options.payloads
      .filter((p) => seen.pcap.includes(Buffer.from(p.text)))
      .map((p) => p.objectId),
    envelopes,
    tcpdump: seen.lines.slice(0, 40),
  });
  return { observation, bodies };
}

/** Reads an object from a host's store through its zone's observer (from outside the host). */
export async function readFromZone(context: ScenarioContext, host: HostVm, payload: Payload) {
  const read = await storeRead(
    context.world.observer(host.spec.zone),
    host.address,
    storePort,
    payload.objectId,
  );
  return context.observe(observed.readBack, {
    host: host.name,
    objectId: payload.objectId,
    status: read.status,
    matchesPayload: read.body === payload.text,
    detail: `GET /objects/${payload.objectId}: ${read.status} ${read.detail}`,
  });
}

/**
 * Hands bytes to a host's inbox as if they had arrived over the network, then looks in its store
 * over the store API; both with the harness's own curl. `over` is where the bytes come from: the
 * host's zone observer (over the network), or its machine probe (over the host's loopback, for a
 * host whose fence lets no observer in). The stack's log is read from its disk as a second witness.
 */
export async function deliverToHost(
  context: ScenarioContext,
  host: HostVm,
  options: { objectId: string; bytes: Buffer; payload: string; over: 'zone' | 'loopback' },
): Promise<DeliveryObservation> {
  const from =
    options.over === 'zone'
      ? context.world.observer(host.spec.zone)
      : await machineProbe(context.world, host.machine);
  const address = options.over === 'zone' ? host.address : '127.0.0.1';
  const delivery = await deliverToInbox(from, address, options.objectId, options.bytes);
  const read = await storeRead(from, address, storePort, options.objectId);
  const refusals = await Promise.all(
    [logMarkers.localizationMismatch, logMarkers.envelopeTampered].map((marker) =>
      vmLogLines(context.world, host, hostPaths.residencyLog, marker),
    ),
  );
  return {
    host: host.name,
    ...delivery,
    storeStatus: read.status,
    storeHoldsPayload: read.status === 200 && read.body === options.payload,
    logLines: refusals.flat().filter((l) => l.includes(options.objectId)),
  };
}

/**
 * The captured envelope with one header byte changed that keeps it well-formed: the last letter of
 * its jurisdiction (or, in a header without one, its version). The envelope's zone and key id stay,
 * so a host of the zone gets as far as authenticating it.
 */
export function tamperHeader(body: Buffer): Buffer | undefined {
  const text = body.toString('latin1');
  const flip = (c: string) => (c === 'X' ? 'Y' : 'X');
  let changed = text.replace(
    /"jurisdiction":"([^"]*)([^"])"/,
    (_all, head: string, last: string) => `"jurisdiction":"${head}${flip(last)}"`,
  );
  if (changed === text)
    changed = text.replace(/"v":(\d)/, (_all, v: string) => `"v":${v === '9' ? 8 : 9}`);
  return changed === text ? undefined : Buffer.from(changed, 'latin1');
}
