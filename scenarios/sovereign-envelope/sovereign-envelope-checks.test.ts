import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { sovereignEnvelopeChecks, world } from './sovereign-envelope-checks.ts';
import {
  observed,
  type CapturedEnvelope,
  type DeliveryObservation,
} from './sovereign-envelope-evidence.ts';

const nonces = ['AAECAwQFBgcICQoL', 'DA0ODxAREhMUFRYX', 'GBkaGxwdHh8gISIj'];

function envelope(
  objectId: string,
  index: number,
  change: Partial<CapturedEnvelope['header']>,
  sealedBy = 'sender',
) {
  const header = {
    v: 1,
    alg: 'AES-256-GCM',
    zone: world.keyZone,
    jurisdiction: world.keyJurisdiction,
    cell: world.cellOf[sealedBy] ?? '',
    keyId: 'sovereign-a-envelope-1',
    nonce: nonces[index] ?? '',
    ...change,
  };
  return {
    objectId,
    sealedBy,
    header,
    headerText: JSON.stringify(header),
    ciphertextBytes: 60,
    opened: { keyId: header.keyId, ok: true, matchesPayload: true },
  } satisfies CapturedEnvelope;
}

function delivery(status: number, error: string, storeStatus = 404): DeliveryObservation {
  return {
    host: 'h',
    target: '127.0.0.1:8444',
    objectId: 'record-1',
    status,
    error,
    body: `{"error": "${error}"}`,
    command: 'curl',
    storeStatus,
    storeHoldsPayload: storeStatus === 200,
    logLines: [],
  };
}

type Change = {
  header?: Partial<CapturedEnvelope['header']>;
  canarySeen?: boolean;
  inClear?: string[];
  /** The nonce of the receiver's envelope back to the sender; undefined: none was sent. */
  returnNonce?: string | undefined;
  opened?: boolean;
  foreign?: DeliveryObservation;
  tampered?: DeliveryObservation;
  readStatus?: number;
  omit?: string[];
};

/** The history a correct stack leaves; `change` breaks one piece of evidence at a time. */
function history(change: Change = {}): History {
  const h = new History();
  const returnNonce = 'returnNonce' in change ? change.returnNonce : nonces[2];
  const envelopes = [
    ...world.objectIds.map((id, i) => envelope(id, i, change.header ?? {})),
    ...(returnNonce === undefined
      ? []
      : [envelope('record-1', 2, { ...change.header, nonce: returnNonce }, 'receiver')]),
  ].map((e) => (change.opened === false ? { ...e, opened: { ...e.opened, ok: false } } : e));
  if (!change.omit?.includes('capture'))
    h.record('observation', observed.capture.name, {
      router: 'ixp',
      zone: 'sovereign-b',
      packets: 40,
      canary: 'sovh-canary-1',
      canarySeen: change.canarySeen ?? true,
      streams: [],
      payloadsInCapture: change.inClear ?? [],
      envelopes,
      tcpdump: [],
    });
  for (const objectId of world.objectIds)
    h.record('observation', observed.readBack.name, {
      host: 'receiver',
      objectId,
      status: change.readStatus ?? 200,
      matchesPayload: (change.readStatus ?? 200) === 200,
      detail: `GET ${objectId}`,
    });
  h.record(
    'observation',
    observed.foreignDelivery.name,
    change.foreign ?? delivery(403, 'LOCALIZATION_MISMATCH'),
  );
  h.record(
    'observation',
    observed.tamperedDelivery.name,
    change.tampered ?? delivery(403, 'ENVELOPE_TAMPERED'),
  );
  return h;
}

const verdicts = (h: History) => checkStatuses(sovereignEnvelopeChecks, h);

describe('sovereign-envelope checks', () => {
  it('pass on the evidence of a stack that seals every payload in its own envelope', async () => {
    expect(await verdicts(history())).toEqual({
      'capture-shows-only-ciphertext': 'pass',
      'envelope-opens-under-zone-key': 'pass',
      'nonces-never-repeat': 'pass',
      'zone-host-opens': 'pass',
      'foreign-host-refuses': 'pass',
      'header-bound-to-ciphertext': 'pass',
    });
  });

  it('fail a repeated nonce, and a header whose jurisdiction is not the zone one', async () => {
    const v = await verdicts(
      history({ header: { nonce: nonces[0], jurisdiction: 'sovereign-a' } }),
    );
    expect(v['nonces-never-repeat']).toBe('fail');
    expect(v['capture-shows-only-ciphertext']).toBe('fail');
  });

  it("fail a nonce the receiver's envelope shares with one of the sender's, and a run with no envelope back", async () => {
    const counter = await verdicts(history({ returnNonce: nonces[0] }));
    expect(counter['nonces-never-repeat']).toBe('fail');
    expect(counter['capture-shows-only-ciphertext']).toBe('pass');
    expect((await verdicts(history({ returnNonce: undefined })))['nonces-never-repeat']).toBe(
      'fail',
    );
    // The envelope back names the receiver's cell, not the sender's.
    const wrongCell = await verdicts(history({ header: { cell: world.senderCell } }));
    expect(wrongCell['capture-shows-only-ciphertext']).toBe('fail');
  });

  it('fail a payload in clear, an envelope that does not open, and a foreign host that opens', async () => {
    const v = await verdicts(
      history({ inClear: ['record-2'], opened: false, foreign: delivery(201, '', 200) }),
    );
    expect(v['capture-shows-only-ciphertext']).toBe('fail');
    expect(v['envelope-opens-under-zone-key']).toBe('fail');
    expect(v['foreign-host-refuses']).toBe('fail');
  });

  it('fail a changed header that opens, and a zone host that does not serve', async () => {
    const v = await verdicts(history({ tampered: delivery(201, '', 200), readStatus: 404 }));
    expect(v['header-bound-to-ciphertext']).toBe('fail');
    expect(v['zone-host-opens']).toBe('fail');
  });

  it('say unknown when the capture missed the canary the harness sent (positive control)', async () => {
    const v = await verdicts(history({ canarySeen: false }));
    expect(v['capture-shows-only-ciphertext']).toBe('unknown');
  });

  it('say unknown, never pass, when the run stopped before the evidence', async () => {
    const v = await verdicts(history({ omit: ['capture'] }));
    expect(v['nonces-never-repeat']).toBe('unknown');
    expect(v['envelope-opens-under-zone-key']).toBe('unknown');
    expect(await verdicts(new History())).toEqual(
      Object.fromEntries(sovereignEnvelopeChecks.map((c) => [c.name, 'unknown'])),
    );
  });
});
