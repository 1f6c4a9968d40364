import { describe, expect, it } from 'vitest';
import type { LoadRequest } from '../../harness/checks/probes/store-load.ts';
import { kmsRevocationBound } from '../../harness/contract/key-custody-bounds.ts';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { keyEndChecksOfEach } from './key-end-checks.ts';
import { kmsKeyCustodyChecks } from './kms-key-custody-checks.ts';
import type { KeyEndObservation, KmsOutageObservation } from './kms-key-custody-evidence.ts';

const checks = [...kmsKeyCustodyChecks, ...keyEndChecksOfEach];
import type { NamedForeignKmsObservation } from './named-foreign-kms.ts';

/** Requests every 200 ms over [fromMs, toMs): served unless `refused(atMs)`, then with `code`. */
function requests(
  fromMs: number,
  toMs: number,
  refused: (at: number) => boolean,
  code = 'KEY_NOT_ACTIVE',
): LoadRequest[] {
  const out: LoadRequest[] = [];
  for (let at = fromMs; at < toMs; at += 200) {
    const down = refused(at);
    out.push({
      startedAtMs: at,
      atMs: at + 20,
      host: 'vm1',
      op: 'put',
      objectId: `o-${at}`,
      status: down ? 503 : 201,
      ok: !down,
      ...(down ? { code } : {}),
    });
    out.push({
      startedAtMs: at + 30,
      atMs: at + 50,
      host: 'vm1',
      op: 'get',
      objectId: 'custody-1',
      status: down ? 503 : 200,
      ok: !down,
      ...(down ? { code } : {}),
    });
  }
  return out;
}

const outage: KmsOutageObservation = {
  kmsStoppedAtMs: 1_000,
  hsmCutAtMs: 2_000,
  hsmHealedAtMs: 5_000,
  kmsBackBeganAtMs: 9_000,
  requests: requests(5_000, 9_000, () => true),
  hsmDecryptsAtMs: [20_000],
  servedAgainAtMs: 21_000,
};

const revocation: KeyEndObservation = {
  uid: '7',
  action: 'kmip-admin revoke 7',
  beganAtMs: 32_500,
  endedAtMs: 33_200,
  stateAfter: 'DEACTIVATED',
  requests: requests(30_000, 37_000, (at) => at >= 33_800),
};

const compromise: KeyEndObservation = {
  ...revocation,
  uid: '8',
  action: 'kmip-admin revoke 8 (reason: key compromise)',
  stateAfter: 'COMPROMISED',
};

const destruction: KeyEndObservation = {
  ...revocation,
  uid: '9',
  action: 'kmip-admin destroy 9',
  stateAfter: null,
};

function history(
  overrides: {
    outage?: Partial<KmsOutageObservation>;
    revocation?: Partial<KeyEndObservation>;
    compromise?: Partial<KeyEndObservation>;
    destruction?: Partial<KeyEndObservation>;
    foreignSyns?: number;
    keyFoundIn?: string[];
    payloadFoundIn?: string[];
    rootCanaryFound?: boolean;
    servedWithoutHsm?: boolean;
    bounds?: Record<string, number>;
    controlSeen?: boolean;
    named?: Partial<NamedForeignKmsObservation>;
  } = {},
): History {
  const h = new History();
  if (overrides.bounds !== undefined) h.record('observation', 'bounds-in-force', overrides.bounds);
  h.record('observation', 'kms-keys', {
    kms: 'kms 10.42.0.10:5696',
    identity: 'vm1',
    keys: [
      {
        uid: '7',
        name: 'residency-data-key/vm1',
        state: 'ACTIVE',
        algorithm: 'AES',
        lengthBits: 256,
      },
    ],
    dataKeyHex: '00'.repeat(32),
    dataKeyUid: '7',
  });
  h.record('observation', 'at-rest', {
    objectId: 'custody-1',
    objectFileBytes: 80,
    opensWithKmsKey: true,
    matchesPayload: true,
    keyFoundIn: overrides.keyFoundIn ?? [],
    payloadFoundIn: overrides.payloadFoundIn ?? [],
    hostFilesScanned: 1200,
    rootCanaryFound: overrides.rootCanaryFound ?? true,
  });
  h.record('observation', 'hsm-dependency', {
    servedWithoutHsm: overrides.servedWithoutHsm ?? false,
    secureLogLines: ['ERR_CRYPTO_DEVICE_NOT_FOUND: no HSM'],
    readBackAfterReconnect: { status: 200, matches: true },
  });
  h.record('observation', 'hsm-key', {
    token: 'hsm-a',
    keyLabel: 'residency-wrap',
    found: 1,
    attributes: {
      extractable: false,
      neverExtractable: true,
      sensitive: true,
      alwaysSensitive: true,
    },
    valueRead: false,
    wrapOut: false,
  });
  h.record('observation', 'kmip-client-conf', {
    text: 'KMIP_SERVER_ADDRESS=10.42.0.10:5696\nCERT_PATH=/etc/pki/sovereign/client.crt\nKEY_PATH=/etc/pki/sovereign/client.key\n',
    expectedAddress: '10.42.0.10:5696',
  });
  h.record('observation', 'kms-outage', { ...outage, ...overrides.outage });
  h.record('observation', 'kms-revocation', { ...revocation, ...overrides.revocation });
  h.record('observation', 'kms-compromise', { ...compromise, ...overrides.compromise });
  h.record('observation', 'kms-destruction', { ...destruction, ...overrides.destruction });
  h.record('observation', 'named-foreign-kms', {
    host: 'vm2',
    kms: 'kms-abroad 10.82.0.10:5696',
    outcome: 'refused',
    refusalLines: ['GEOGRAPHIC_FENCE_ERROR: KMS 10.82.0.10 is outside the domestic CIDRs'],
    attempts: 0,
    controlAttempts: 1,
    ...overrides.named,
  });
  h.record('observation', 'foreign-kms', {
    kms: 'kms-abroad 10.82.0.10:5696',
    synCount: overrides.foreignSyns ?? 0,
    sources: [],
    control: {
      from: 'observer-abroad',
      connected: true,
      synCount: (overrides.foreignSyns ?? 0) + (overrides.controlSeen === false ? 0 : 1),
    },
  });
  return h;
}

describe('kms-key-custody checks', () => {
  it('all pass on the evidence of a correct stack', async () => {
    expect(await checkStatuses(checks, history())).toEqual(
      Object.fromEntries(checks.map((c) => [c.name, 'pass'])),
    );
  });

  it('fail unwrap-fails-closed-without-kms when the store serves or the HSM unwraps with the KMS down', async () => {
    const served = await checkStatuses(
      checks,
      history({ outage: { requests: requests(5_000, 9_000, (at) => at < 6_000) } }),
    );
    expect(served['unwrap-fails-closed-without-kms']).toBe('fail');
    const unwrapped = await checkStatuses(
      checks,
      history({ outage: { hsmDecryptsAtMs: [5_600, 20_000] } }),
    );
    expect(unwrapped['unwrap-fails-closed-without-kms']).toBe('fail');
    const dead = await checkStatuses(checks, history({ outage: { servedAgainAtMs: undefined } }));
    expect(dead['unwrap-fails-closed-without-kms']).toBe('fail');
  });

  it('say unknown for unwrap-fails-closed-without-kms when the HSM log never shows an unwrap (no positive control)', async () => {
    const silent = await checkStatuses(checks, history({ outage: { hsmDecryptsAtMs: [] } }));
    expect(silent['unwrap-fails-closed-without-kms']).toBe('unknown');
  });

  it('fail revocation-refused-within-bound when the revoked key serves past two KMS watch intervals', async () => {
    expect(kmsRevocationBound.contract).toBe(2_000);
    const ignored = await checkStatuses(
      checks,
      history({ revocation: { requests: requests(30_000, 37_000, () => false) } }),
    );
    expect(ignored['revocation-refused-within-bound']).toBe('fail');
    const late = await checkStatuses(
      checks,
      history({ revocation: { requests: requests(30_000, 37_000, (at) => at >= 35_600) } }),
    );
    expect(late['revocation-refused-within-bound']).toBe('fail');
    const tightened = await checkStatuses(checks, history({ bounds: { kmsRevocationMs: 400 } }));
    expect(tightened['revocation-refused-within-bound']).toBe('fail');
  });

  it('fail revocation-refusals-name-key-not-active when the refusals give another reason; unknown with none', async () => {
    const copied = await checkStatuses(
      checks,
      history({
        revocation: { requests: requests(30_000, 37_000, (at) => at >= 33_800, 'KEYS_WIPED') },
      }),
    );
    expect(copied['revocation-refused-within-bound']).toBe('pass');
    expect(copied['revocation-refusals-name-key-not-active']).toBe('fail');
    const served = await checkStatuses(
      checks,
      history({ revocation: { requests: requests(30_000, 37_000, () => false) } }),
    );
    expect(served['revocation-refusals-name-key-not-active']).toBe('unknown');
  });

  it('fail destruction-refused-within-bound when a destroyed key serves on (taken for a KMS that does not answer)', async () => {
    const kept = await checkStatuses(
      checks,
      history({ destruction: { requests: requests(30_000, 37_000, () => false) } }),
    );
    expect(kept['destruction-refused-within-bound']).toBe('fail');
    expect(kept['destruction-refusals-name-key-not-active']).toBe('unknown');
    expect(kept['revocation-refused-within-bound']).toBe('pass');
    const unavailable = await checkStatuses(
      checks,
      history({
        destruction: {
          requests: requests(30_000, 37_000, (at) => at >= 33_800, 'KMS_UNAVAILABLE'),
        },
      }),
    );
    expect(unavailable['destruction-refused-within-bound']).toBe('pass');
    expect(unavailable['destruction-refusals-name-key-not-active']).toBe('fail');
  });

  it('fail compromise-refused-within-bound when a key revoked for compromise serves on (a deny-list of states)', async () => {
    const listed = await checkStatuses(
      checks,
      history({ compromise: { requests: requests(30_000, 37_000, () => false) } }),
    );
    expect(listed['compromise-refused-within-bound']).toBe('fail');
    expect(listed['compromise-refusals-name-key-not-active']).toBe('unknown');
    expect(listed['revocation-refused-within-bound']).toBe('pass');
    expect(listed['destruction-refused-within-bound']).toBe('pass');
  });

  it('fail revocation-refused-within-bound when nothing was served before it (no effect to see)', async () => {
    const never = await checkStatuses(
      checks,
      history({ revocation: { requests: requests(30_000, 37_000, () => true) } }),
    );
    expect(never['revocation-refused-within-bound']).toBe('fail');
  });

  it('fail the custody checks on a key on disk, service without the HSM, a contacted foreign KMS', async () => {
    const statuses = await checkStatuses(
      checks,
      history({
        keyFoundIn: ['/var/lib/residency/keys/x'],
        servedWithoutHsm: true,
        foreignSyns: 2,
      }),
    );
    expect(statuses['data-key-never-on-disk']).toBe('fail');
    expect(statuses['unwrap-needs-the-hsm']).toBe('fail');
    expect(statuses['foreign-kms-never-contacted']).toBe('fail');
  });

  it('fail ciphertext-only-at-rest on a part of the payload anywhere in the host files, even without the canary', async () => {
    for (const rootCanaryFound of [true, false]) {
      const found = history({ payloadFoundIn: ['/var/log/audit/trail.log'], rootCanaryFound });
      expect((await checkStatuses(checks, found))['ciphertext-only-at-rest']).toBe('fail');
    }
  });

  it('say unknown, never pass, for a clean scan of the host files that missed the harness canary', async () => {
    const blind = await checkStatuses(checks, history({ rootCanaryFound: false }));
    expect(blind['ciphertext-only-at-rest']).toBe('unknown');
    expect(blind['data-key-never-on-disk']).toBe('unknown');
  });

  it('say unknown for foreign-kms-never-contacted when the counter misses the harness own connection', async () => {
    expect(
      (await checkStatuses(checks, history({ controlSeen: false })))['foreign-kms-never-contacted'],
    ).toBe('unknown');
  });

  it('fail foreign-kms-never-contacted when the host named to the KMS abroad tries it, even through a fence that drops it, or serves', async () => {
    const status = async (named: Partial<NamedForeignKmsObservation>) =>
      (await checkStatuses(checks, history({ named })))['foreign-kms-never-contacted'];
    expect(await status({})).toBe('pass');
    expect(
      await status({ outcome: 'attempted', refusalLines: [], attempts: 3, controlAttempts: 4 }),
    ).toBe('fail');
    expect(await status({ attempts: 2, controlAttempts: 3 })).toBe('fail');
    expect(await status({ outcome: 'serving', refusalLines: [] })).toBe('fail');
  });

  it('say unknown for foreign-kms-never-contacted when the namespace counter is gone, misses the control, or the boot reached no outcome', async () => {
    const status = async (named: Partial<NamedForeignKmsObservation>) =>
      (await checkStatuses(checks, history({ named })))['foreign-kms-never-contacted'];
    expect(await status({ attempts: undefined, controlAttempts: undefined })).toBe('unknown');
    expect(await status({ controlAttempts: 0 })).toBe('unknown');
    expect(await status({ outcome: 'none', refusalLines: [] })).toBe('unknown');
  });

  it('say unknown, never pass, when the run stopped before the evidence was taken', async () => {
    expect(Object.values(await checkStatuses(checks, new History()))).toEqual(
      Array(checks.length).fill('unknown'),
    );
  });
});
