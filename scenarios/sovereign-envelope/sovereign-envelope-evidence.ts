import {
  findEnvelope,
  openEnvelope,
  type EnvelopeHeader,
} from '../../harness/checks/probes/envelope-inspection.ts';
import { tcpStreams } from '../../harness/checks/probes/pcap-streams.ts';
import {
  storeRead,
  storeRoundTrip,
  type StoreRoundTrip,
} from '../../harness/checks/probes/store-probe.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { storePort } from '../../harness/contract/site-file.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { asRouter } from '../../sims/router/started-router.ts';
import { asSovereignApi } from '../../sims/sovereign-api/sovereign-api.ts';

/** The relay's port (CONTRACT.md, "The sovereign envelope"). */
export const relayPort = 8444;
/** Several hosts boot at once on a shared machine: each unseals its KEK in its TPM, which takes a while. */
export const bootTimeoutMs = 180_000;
const residencyLog = '/var/lib/residency/log/residency.log';

/** Waits until a host's envelope relay answers on its own loopback (reachable from any zone's host). */
export async function awaitRelay(host: HostVm): Promise<void> {
  await host.container.waitForCommand(
    ['curl', '-s', '-o', '/dev/null', '-m', '2', `http://127.0.0.1:${relayPort}/`],
    bootTimeoutMs,
  );
}

export async function storeObject(
  context: ScenarioContext,
  host: HostVm,
  objectId: string,
  payload: string,
): Promise<StoreRoundTrip> {
  const trip = await storeRoundTrip(
    context.world.observer(host.spec.zone),
    host.address,
    storePort,
    objectId,
    payload,
  );
  return context.observe('payload-stored', { host: host.name, ...trip });
}

export interface SendObservation {
  from: string;
  to: string;
  exitCode: number;
  answer: string;
}

/** The sending host's stack seals the object and delivers it: `residency-envelope send`. */
export async function sendEnvelope(
  context: ScenarioContext,
  sender: HostVm,
  receiver: HostVm,
  objectId: string,
): Promise<SendObservation> {
  const run = await sender.container.exec(
    ['residency-envelope', 'send', objectId, receiver.address],
    { timeoutMs: 30_000 },
  );
  return context.observe<SendObservation>('envelope-send', {
    from: sender.name,
    to: receiver.name,
    exitCode: run.exitCode,
    answer: `${run.stdout}${run.stderr}`.trim(),
  });
}

export interface ExchangeCaptureObservation {
  router: string;
  zone: string;
  packets: number;
  /** Streams toward the receiver's relay, with the HTTP body each carried (hex, for replay). */
  streams: { source: string; destination: string; packets: number; bodyHex: string }[];
  /** Whether the payload's bytes appear anywhere in the capture file. */
  plaintextInCapture: boolean;
  envelope?: { header: EnvelopeHeader; headerText: string; ciphertextBytes: number };
  /** The harness opened the captured envelope with the zone key it got from the key service. */
  openedWithZoneKey?: { keyId: string; ok: boolean; matchesPayload: boolean };
  tcpdump: string[];
  /** Packets the router forwarded between each pair of zones while the action ran. */
  forwarded: string[];
}

function httpBody(stream: Buffer): Buffer {
  const end = stream.indexOf('\r\n\r\n');
  return end < 0 ? Buffer.alloc(0) : stream.subarray(end + 4);
}

/**
 * Runs an action while the exchange router captures the relay traffic on the receiver's leg, then
 * reads the capture: which streams crossed, what their bodies were, whether the payload is
 * readable in it, and whether the captured envelope opens under the zone's key.
 */
export async function captureAtExchange(
  context: ScenarioContext,
  options: { router: string; zone: string; receiver: HostVm; payload: string; keyService: string },
  action: () => Promise<unknown>,
): Promise<ExchangeCaptureObservation & { bodies: Buffer[] }> {
  const router = asRouter(context.world.sim(options.router));
  const crossedBefore = await router.counters();
  const capture = await router.startCapture('envelope-relay', {
    zone: options.zone,
    filter: `tcp port ${relayPort}`,
  });
  try {
    await action();
  } finally {
    await capture.stop();
  }
  const seen = await capture.stop();
  const crossedAfter = await router.counters();
  const forwarded = crossedAfter.map((after) => {
    const before =
      crossedBefore.find((b) => b.from === after.from && b.to === after.to)?.packets ?? 0;
    return `${after.from}>${after.to}: ${after.packets - before}`;
  });
  const streams = tcpStreams(seen.pcap).filter(
    (s) => s.destination === options.receiver.address && s.destinationPort === relayPort,
  );
  const bodies = streams.map((s) => httpBody(s.payload));
  const envelopeBody = bodies
    .map((b) => ({ body: b, envelope: findEnvelope(b) }))
    .find((e) => e.envelope !== undefined);
  let openedWithZoneKey: ExchangeCaptureObservation['openedWithZoneKey'];
  if (envelopeBody?.envelope !== undefined) {
    const zoneKey = await asSovereignApi(context.world.sim(options.keyService)).zoneKey();
    const opened = openEnvelope(envelopeBody.envelope, zoneKey.key);
    openedWithZoneKey = {
      keyId: zoneKey.keyId,
      ok: opened !== undefined,
      matchesPayload: opened?.toString('utf8') === options.payload,
    };
  }
  const observation: ExchangeCaptureObservation = {
    router: options.router,
    zone: options.zone,
    packets: seen.packets,
    streams: streams.map((s, i) => ({
      source: `${s.source}:${s.sourcePort}`,
      destination: `${s.destination}:${s.destinationPort}`,
      packets: s.packets,
      bodyHex: bodies[i]?.toString('hex') ?? '',
    })),
    plaintextInCapture: seen.pcap.includes(Buffer.from(options.payload)),
    envelope:
      envelopeBody?.envelope === undefined
        ? undefined
        : {
            header: envelopeBody.envelope.header,
            headerText: envelopeBody.envelope.headerBytes.toString('utf8'),
            ciphertextBytes: envelopeBody.envelope.ciphertext.length,
          },
    openedWithZoneKey,
    tcpdump: seen.lines.slice(0, 40),
    forwarded,
  };
  context.observe('exchange-capture', observation);
  return { ...observation, bodies };
}

export interface ReadBackObservation {
  host: string;
  objectId: string;
  status: number;
  matchesPayload: boolean;
  detail: string;
}

/** Reads an object from a host's store through its zone's observer (from outside the host). */
export async function readFromZone(
  context: ScenarioContext,
  host: HostVm,
  objectId: string,
  payload: string,
  name: string,
) {
  const read = await storeRead(
    context.world.observer(host.spec.zone),
    host.address,
    storePort,
    objectId,
  );
  return context.observe<ReadBackObservation>(name, {
    host: host.name,
    objectId,
    status: read.status,
    matchesPayload: read.body === payload,
    detail: `GET /objects/${objectId}: ${read.status} ${read.detail}`,
  });
}

export interface DeliveryObservation {
  host: string;
  objectId: string;
  exitCode: number;
  answer: string;
  /** The host's store afterwards, read over its loopback store API. */
  storeStatus: number;
  storeHoldsPayload: boolean;
  /** Lines of the host's residency log about this object. */
  logLines: string[];
}

/**
 * Hands bytes to a host's relay as if they had arrived over the network (`residency-envelope
 * receive`), then looks in its store over the store API on its loopback: a host whose zone does not
 * let anyone in from the observer's network is still judged by what it keeps, not by what it says.
 */
export async function deliverToHost(
  context: ScenarioContext,
  host: HostVm,
  objectId: string,
  bytes: Buffer,
  payload: string,
  name: string,
) {
  const run = await host.container.exec(['residency-envelope', 'receive', objectId], {
    stdin: bytes,
    timeoutMs: 30_000,
  });
  const read = await host.container.exec(
    [
      'curl',
      '-sS',
      '-m',
      '5',
      '-w',
      '\nHTTP_STATUS:%{http_code}',
      `http://127.0.0.1:${storePort}/objects/${objectId}`,
    ],
    { timeoutMs: 15_000 },
  );
  const storeStatus = Number(/HTTP_STATUS:(\d{3})$/.exec(read.stdout)?.[1] ?? '0');
  const body = read.stdout.replace(/\nHTTP_STATUS:\d{3}$/, '');
  const log = (await host.container.exec(['cat', residencyLog], { timeoutMs: 10_000 })).stdout;
  return context.observe<DeliveryObservation>(name, {
    host: host.name,
    objectId,
    exitCode: run.exitCode,
    answer: `${run.stdout}${run.stderr}`.trim(),
    storeStatus,
    storeHoldsPayload: storeStatus === 200 && body === payload,
    logLines: log
      .split('\n')
      .filter((l) => l.includes(`envelope ${objectId} `) || l.includes(`${objectId} from`)),
  });
}

/** The captured envelope with one header byte changed that keeps it well-formed: its jurisdiction. */
export function tamperHeader(body: Buffer): Buffer | undefined {
  const text = body.toString('latin1');
  const changed = text.replace(
    /"jurisdiction":"([A-Z])([A-Z])"/,
    (_all, a: string, b: string) => `"jurisdiction":"${a}${b === 'X' ? 'Y' : 'X'}"`,
  );
  return changed === text ? undefined : Buffer.from(changed, 'latin1');
}
