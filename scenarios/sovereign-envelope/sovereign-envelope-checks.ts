import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { fail, verdictOf } from '../../harness/checks/verdict.ts';
import type {
  DeliveryObservation,
  ExchangeCaptureObservation,
  ReadBackObservation,
  SendObservation,
} from './sovereign-envelope-evidence.ts';

export const world = {
  keyZone: 'sovereign-a',
  senderCell: 'cell-a',
} as const;

export const sovereignEnvelopeChecks: Check[] = [
  {
    name: 'capture-shows-only-ciphertext',
    description:
      'What crossed the exchange is a sovereign envelope: its header (zone, cell, key id) in clear, the payload nowhere in the capture',
    verify(history) {
      const c = lastObservation<ExchangeCaptureObservation>(history, 'exchange-capture').data;
      const send = lastObservation<SendObservation>(history, 'envelope-send').data;
      if (c.streams.length === 0) {
        return fail(
          `nothing to the receiver's relay crossed ${c.router} (${c.packets} packets captured; forwarded meanwhile: ${c.forwarded.join(', ') || 'nothing'})`,
          {
            observed: send.answer,
            evidence: [{ source: 'tcpdump', excerpt: c.tcpdump.join('\n') || '(empty)' }],
          },
        );
      }
      const h = c.envelope?.header;
      const problems: string[] = [];
      if (c.plaintextInCapture) problems.push('the payload is readable in the capture');
      if (h === undefined) problems.push('no sovereign envelope in what crossed');
      else {
        if (h.zone !== world.keyZone)
          problems.push(`the header's zone is ${h.zone}, not ${world.keyZone}`);
        if (h.cell !== world.senderCell)
          problems.push(`the header's cell is ${String(h.cell)}, not ${world.senderCell}`);
        if (h.keyId === '') problems.push('the header names no key id');
        if (h.alg !== 'AES-256-GCM') problems.push(`the header says ${h.alg}`);
      }
      return verdictOf(
        problems.length === 0,
        `an envelope of zone ${h?.zone ?? '?'} crossed; the payload did not`,
        problems.join('; '),
        {
          expected: `an envelope header {zone: ${world.keyZone}, cell: ${world.senderCell}, keyId} in clear; the payload's bytes nowhere in the capture`,
          observed: `${c.streams.length} stream(s), ${c.packets} packets; header ${c.envelope?.headerText ?? '(none)'}; payload in capture: ${c.plaintextInCapture ? 'YES' : 'no'}`,
          evidence: [
            {
              source: `tcpdump on ${c.router}'s ${c.zone} leg, tcp port 8444`,
              excerpt: c.tcpdump.slice(0, 8).join('\n'),
            },
            {
              source: 'first bytes of the captured body',
              excerpt: Buffer.from(c.streams[0]?.bodyHex ?? '', 'hex')
                .subarray(0, 200)
                .toString('latin1'),
            },
          ],
        },
      );
    },
  },
  {
    name: 'envelope-opens-under-zone-key',
    description:
      "The harness opens the captured envelope with the zone's key (AES-256-GCM, the header as additional data) and gets the payload back exactly",
    verify(history) {
      const c = lastObservation<ExchangeCaptureObservation>(history, 'exchange-capture').data;
      const o = c.openedWithZoneKey;
      return verdictOf(
        o?.ok === true && o.matchesPayload,
        `the captured envelope opens under zone key ${o?.keyId ?? ''} to the payload`,
        o === undefined
          ? 'no envelope was captured to open'
          : `the captured envelope ${o.ok ? 'opened to different bytes' : 'does not open under the zone key'}`,
        {
          expected: 'AES-256-GCM under the zone key with the header as AAD gives the payload',
          observed:
            o === undefined ? 'no envelope' : `opened: ${o.ok}, same bytes: ${o.matchesPayload}`,
        },
      );
    },
  },
  {
    name: 'zone-host-opens',
    description:
      "A host of the zone receives the envelope, opens it and serves the payload from its store (read from its zone's observer)",
    verify(history) {
      const send = lastObservation<SendObservation>(history, 'envelope-send').data;
      const read = lastObservation<ReadBackObservation>(history, 'receiver-readback').data;
      return verdictOf(
        read.status === 200 && read.matchesPayload,
        `${read.host} serves the payload it opened`,
        `${read.host} does not serve the payload`,
        {
          expected: 'GET 200 with the payload',
          observed: `${read.detail}${read.status === 200 ? (read.matchesPayload ? ', same bytes' : ', DIFFERENT bytes') : ''}; sender said: ${send.answer}`,
        },
      );
    },
  },
  {
    name: 'foreign-host-refuses',
    description:
      'A host in a foreign region handed the captured bytes does not open them: it says LOCALIZATION_MISMATCH and keeps nothing',
    verify(history) {
      const d = lastObservation<DeliveryObservation>(history, 'foreign-delivery').data;
      const problems: string[] = [];
      if (d.exitCode === 0) problems.push(`${d.host} accepted the payload: ${d.answer}`);
      else if (!d.answer.includes('LOCALIZATION_MISMATCH'))
        problems.push(`${d.host} refused without LOCALIZATION_MISMATCH: ${d.answer}`);
      if (d.storeHoldsPayload) problems.push(`${d.host}'s store serves the payload`);
      else if (d.storeStatus !== 404)
        problems.push(`${d.host}'s store answered ${d.storeStatus} for the object`);
      return verdictOf(
        problems.length === 0,
        `${d.host} refused with LOCALIZATION_MISMATCH and holds nothing`,
        problems.join('; '),
        {
          expected: 'refused with LOCALIZATION_MISMATCH; GET of the object 404',
          observed: `${d.answer}; store GET ${d.storeStatus}`,
          evidence: [
            {
              source: `${d.host} residency log`,
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
      const d = lastObservation<DeliveryObservation>(history, 'tampered-delivery').data;
      const ok =
        d.exitCode !== 0 && d.answer.includes('ENVELOPE_TAMPERED') && d.storeStatus === 404;
      return verdictOf(
        ok,
        `${d.host} refused the changed envelope`,
        `${d.host} did not refuse the changed envelope as tampered`,
        {
          expected: 'refused with ENVELOPE_TAMPERED; GET of the object 404',
          observed: `${d.answer}; store GET ${d.storeStatus}`,
        },
      );
    },
  },
];
