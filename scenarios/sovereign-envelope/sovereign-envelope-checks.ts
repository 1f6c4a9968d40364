import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { withPositiveControl } from '../../harness/checks/positive-control.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import type { History } from '../../harness/scenario/history.ts';
import {
  observed,
  type CapturedEnvelope,
  type ReadBackObservation,
} from './sovereign-envelope-evidence.ts';

/** What the topology says an envelope of this run must carry (the harness's, not the stack's). */
export const world = {
  keyZone: 'sovereign-a',
  keyJurisdiction: 'DE',
  senderCell: 'cell-a',
  /** The payloads sent across the exchange, each its own envelope under the same zone key. */
  objectIds: ['record-1', 'record-2'],
  /** The cell each host seals from: the receiver sends one envelope back, from its own cell. */
  cellOf: { sender: 'cell-a', receiver: 'cell-b' } as Readonly<Record<string, string>>,
  /** The hosts whose envelopes share the zone key, and so must share no nonce. */
  sealers: ['sender', 'receiver'],
  /**
   * A host of a third site of the jurisdiction: its site file names the key service, which
   * refuses it the key. It sends one payload to the receiver, which must not cross at all.
   */
  keyless: { host: 'keyless', zone: 'sovereign-c', objectId: 'record-keyless' },
} as const;

const nonceBytes = 12;

function headerProblems(e: CapturedEnvelope): string[] {
  const h = e.header;
  const problems: string[] = [];
  if (h.v !== 1) problems.push(`version ${String(h.v)}, not 1`);
  if (h.alg !== 'AES-256-GCM') problems.push(`algorithm ${h.alg}`);
  if (h.zone !== world.keyZone) problems.push(`zone ${h.zone}, not ${world.keyZone}`);
  if (h.jurisdiction !== world.keyJurisdiction)
    problems.push(`jurisdiction ${String(h.jurisdiction)}, not ${world.keyJurisdiction}`);
  const cell = world.cellOf[e.sealedBy] ?? world.senderCell;
  if (h.cell !== cell) problems.push(`cell ${String(h.cell)}, not ${cell}`);
  if (typeof h.keyId !== 'string' || h.keyId === '') problems.push('no key id');
  // The header is JSON off the wire: its fields are only what they claim to be once checked.
  const nonce: unknown = h.nonce;
  const nonceLength = typeof nonce === 'string' ? Buffer.from(nonce, 'base64').length : 0;
  if (nonceLength !== nonceBytes)
    problems.push(`a nonce of ${nonceLength} bytes, not ${nonceBytes}`);
  return problems.map((p) => `${e.objectId} from ${e.sealedBy}: ${p}`);
}

function envelopesOf(history: History): CapturedEnvelope[] {
  return lastObservation(history, observed.capture).data.envelopes;
}

function missingEnvelopes(envelopes: readonly CapturedEnvelope[]): string[] {
  return world.objectIds.filter((id) => !envelopes.some((e) => e.objectId === id));
}

function delivery(history: History, key: typeof observed.foreignDelivery) {
  return lastObservation(history, key).data;
}

export const sovereignEnvelopeChecks: Check[] = [
  {
    name: 'capture-shows-only-ciphertext',
    description:
      "What crossed the exchange is sovereign envelopes with the run's header (zone, jurisdiction, cell, key id, a 12-byte nonce) in clear; no payload anywhere in the capture, on any port, also none from a host of the zone that holds no zone key (behind a canary the harness sent in clear)",
    verify(history) {
      const c = lastObservation(history, observed.capture).data;
      return withPositiveControl(
        { seen: c.canarySeen, what: `the canary ${c.canary} sent in clear across ${c.router}` },
        () => {
          const problems: string[] = [];
          if (c.payloadsInCapture.length > 0)
            problems.push(`readable in the capture: ${c.payloadsInCapture.join(', ')}`);
          const missing = missingEnvelopes(c.envelopes);
          if (missing.length > 0)
            problems.push(`no sovereign envelope crossed for ${missing.join(', ')}`);
          problems.push(...c.envelopes.flatMap(headerProblems));
          return verdictOf(
            problems.length === 0,
            `${c.envelopes.length} envelopes of zone ${world.keyZone} crossed; no payload did`,
            problems.join('; '),
            {
              expected: `for each of ${world.objectIds.join(', ')}: an envelope header {v 1, AES-256-GCM, zone ${world.keyZone}, jurisdiction ${world.keyJurisdiction}, cell ${world.senderCell}, keyId, 12-byte nonce}; no payload bytes anywhere`,
              observed: `${c.packets} packets, ${c.streams.length} relay stream(s); headers ${c.envelopes.map((e) => e.headerText).join(' | ') || '(none)'}; payloads in clear: ${c.payloadsInCapture.join(', ') || 'none'}`,
              evidence: [
                {
                  source: `tcpdump on ${c.router}'s ${c.zone} leg, every protocol`,
                  excerpt: c.tcpdump.slice(0, 8).join('\n'),
                },
                {
                  source: 'first bytes of the captured bodies',
                  excerpt: c.streams
                    .map((s) => Buffer.from(s.bodyHex, 'hex').subarray(0, 200).toString('latin1'))
                    .join('\n'),
                },
              ],
            },
          );
        },
      );
    },
  },
  {
    name: 'envelope-opens-under-zone-key',
    description:
      "The harness opens each captured envelope with the zone's key it got from the key service (AES-256-GCM, the exact header as additional data) and gets its payload back",
    verify(history) {
      const envelopes = envelopesOf(history);
      const missing = missingEnvelopes(envelopes);
      const unopened = envelopes.filter((e) => !e.opened.ok || !e.opened.matchesPayload);
      return verdictOf(
        missing.length === 0 && unopened.length === 0,
        `every captured envelope opens under zone key ${envelopes[0]?.opened.keyId ?? ''} to its payload`,
        [
          ...missing.map((id) => `${id}: no envelope captured`),
          ...unopened.map(
            (e) =>
              `${e.objectId}: ${e.opened.ok ? 'opened to other bytes' : 'does not open under the zone key with its header as additional data'}`,
          ),
        ].join('; '),
        {
          expected: 'AES-256-GCM under the zone key with the header as AAD gives each payload',
          observed: envelopes
            .map(
              (e) => `${e.objectId}: opened ${e.opened.ok}, same bytes ${e.opened.matchesPayload}`,
            )
            .join('; '),
        },
      );
    },
  },
  {
    name: 'nonces-never-repeat',
    description:
      'Envelopes sealed under the same zone key carry different nonces, across the hosts of the zone too: the sender seals two, the receiver one back (a repeated GCM nonce gives away both payloads and the key to forge)',
    verify(history) {
      const envelopes = envelopesOf(history);
      const missing = [
        ...missingEnvelopes(envelopes),
        ...world.sealers
          .filter((host) => !envelopes.some((e) => e.sealedBy === host))
          .map((host) => `an envelope from ${host}`),
      ];
      const byNonce = new Map<string, string[]>();
      for (const e of envelopes) {
        const key = `${e.header.keyId}/${e.header.nonce}`;
        byNonce.set(key, [...(byNonce.get(key) ?? []), `${e.objectId} from ${e.sealedBy}`]);
      }
      const repeated = [...byNonce.entries()].filter(([, ids]) => ids.length > 1);
      return verdictOf(
        missing.length === 0 && repeated.length === 0,
        `${envelopes.length} envelopes from ${world.sealers.join(' and ')}, ${byNonce.size} distinct nonces under the zone key`,
        repeated.length > 0
          ? `nonce repeated under one key: ${repeated.map(([k, ids]) => `${k} in ${ids.join(', ')}`).join('; ')}`
          : `no envelope captured for ${missing.join(', ')} to compare nonces`,
        {
          expected:
            'a fresh nonce for every envelope under a key, whichever host of the zone seals it',
          observed: envelopes
            .map((e) => `${e.objectId} from ${e.sealedBy}: ${e.header.nonce}`)
            .join('; '),
        },
      );
    },
  },
  {
    name: 'zone-host-opens',
    description:
      "A host of the zone receives each envelope, opens it and serves the payload from its store (read from its zone's observer)",
    verify(history) {
      const reads = history
        .observations<ReadBackObservation>(observed.readBack.name)
        .map((e) => e.data);
      lastObservation(history, observed.readBack);
      const missing = world.objectIds.filter((id) => !reads.some((r) => r.objectId === id));
      const wrong = reads.filter((r) => r.status !== 200 || !r.matchesPayload);
      return verdictOf(
        missing.length === 0 && wrong.length === 0,
        `${reads[0]?.host ?? 'the receiver'} serves every payload it opened`,
        [
          ...missing.map((id) => `${id}: not read back`),
          ...wrong.map(
            (r) => `${r.objectId}: ${r.detail}${r.status === 200 ? ', DIFFERENT bytes' : ''}`,
          ),
        ].join('; '),
        {
          expected: 'GET 200 with the payload, for each object',
          observed: reads.map((r) => r.detail).join('; '),
        },
      );
    },
  },
  {
    name: 'foreign-host-refuses',
    description:
      'A host in a foreign region handed the captured bytes does not open them: its inbox refuses (LOCALIZATION_MISMATCH) and its store holds nothing',
    verify(history) {
      const d = delivery(history, observed.foreignDelivery);
      const problems: string[] = [];
      if (d.status === 201 || d.storeHoldsPayload)
        problems.push(`${d.host} opened the envelope (inbox ${d.status}, store ${d.storeStatus})`);
      else if (d.storeStatus !== 404)
        problems.push(`${d.host}'s store answered ${d.storeStatus} for the object`);
      if (d.status !== 403 || d.error !== 'LOCALIZATION_MISMATCH')
        problems.push(`${d.host}'s inbox answered ${d.status} ${d.error ?? d.body}`);
      return verdictOf(
        problems.length === 0,
        `${d.host} refused with LOCALIZATION_MISMATCH and holds nothing`,
        problems.join('; '),
        {
          expected: 'inbox 403 LOCALIZATION_MISMATCH; store GET of the object 404',
          observed: `inbox ${d.status} ${d.body}; store GET ${d.storeStatus}`,
          evidence: [
            { source: d.command, excerpt: d.body },
            {
              source: `${d.host} residency log on the VM disk (second witness)`,
              excerpt: d.logLines.join('\n') || '(no line about the object)',
            },
          ],
        },
      );
    },
  },
  {
    name: 'header-bound-to-ciphertext',
    description:
      'An envelope whose header was changed on the way (its jurisdiction) does not open in the zone: ENVELOPE_TAMPERED, nothing stored',
    verify(history) {
      const d = delivery(history, observed.tamperedDelivery);
      const ok = d.status === 403 && d.error === 'ENVELOPE_TAMPERED' && d.storeStatus === 404;
      return verdictOf(
        ok,
        `${d.host} refused the changed envelope`,
        `${d.host} did not refuse the changed envelope as tampered`,
        {
          expected: 'inbox 403 ENVELOPE_TAMPERED; store GET of the object 404',
          observed: `inbox ${d.status} ${d.body}; store GET ${d.storeStatus}`,
          evidence: [{ source: d.command, excerpt: d.body }],
        },
      );
    },
  },
];
