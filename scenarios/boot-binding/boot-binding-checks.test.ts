import { describe, expect, it } from 'vitest';
import { runChecks } from '../../harness/checks/check.ts';
import type { CapabilityReport } from '../../harness/runtime/capabilities.ts';
import { History } from '../../harness/scenario/history.ts';
import { bootBindingChecks, phases } from './boot-binding-checks.ts';

// The machine has what the TPM bus capture needs, so every check is judged.
const capabilities = {
  entries: [{ name: 'cap:NET_RAW', available: true }],
} as unknown as CapabilityReport;
const closed = { from: 'x', target: 't', connected: false, detail: 'Connection refused' };
const open = { ...closed, connected: true, detail: 'connection accepted' };
const refusedUnseal = { mode: 'pcr-policy', ok: false, detail: 'policy check failed' };
const policy = 'e62019c7d6984d7af5fac66535aeb2ef1153ff2fa8a662c409ed40527c1b69df';

/** The history a correct stack leaves, with overrides to break one piece of evidence at a time. */
function history(
  overrides: {
    home?: object;
    changed?: object;
    migrated?: object;
    changedProbe?: object;
    replacedProbe?: object;
    replacedBoot?: object;
    replacedLogCount?: number;
  } = {},
): History {
  const h = new History();
  const trip = { ok: true, detail: 'PUT 201 / GET 200', command: 'curl', machine: 'home' };
  h.record('observation', 'store-roundtrip', { phase: phases.home, ...trip });
  h.record('observation', 'tpm-primary-key', {
    machine: 'home',
    fromTpm: { handle: '0x81000001', present: true, qualifiedName: 'abc' },
    recordedQualifiedName: 'abc',
    auditLine: 'qualified_name=abc',
  });
  h.record('observation', 'sealed-kek', {
    phase: phases.home,
    machine: 'home',
    present: true,
    inspection: {
      attributes: 'fixedtpm|fixedparent',
      authPolicy: policy,
      expectedPolicy: policy,
      pcrs: 'sha256:7',
    },
    withPolicy: { mode: 'pcr-policy', ok: true, detail: '' },
    withoutAuth: { mode: 'no-auth', ok: false, detail: '' },
    kekFoundIn: [],
    ...overrides.home,
  });
  for (const [phase, override, probe] of [
    [phases.bootChainChanged, overrides.changed, overrides.changedProbe],
    [phases.migrated, overrides.migrated, undefined],
  ] as const) {
    h.record('observation', 'service-probe', {
      phase,
      machine: 'm',
      loopback: closed,
      network: closed,
      ...probe,
    });
    h.record('observation', 'sealed-kek', {
      phase,
      machine: 'm',
      present: true,
      withPolicy: refusedUnseal,
      withoutAuth: { ...refusedUnseal, mode: 'no-auth' },
      ...override,
    });
  }
  h.record('observation', 'localization-mismatch-log', {
    phase: phases.bootChainChanged,
    count: 1,
    lines: ['LOCALIZATION_MISMATCH: a'],
  });
  h.record('observation', 'localization-mismatch-log', {
    phase: phases.migrated,
    count: 2,
    lines: ['LOCALIZATION_MISMATCH: a', 'LOCALIZATION_MISMATCH: b'],
  });
  h.record('observation', 'service-probe', {
    phase: phases.primaryReplaced,
    machine: 'home',
    loopback: closed,
    network: closed,
    ...overrides.replacedProbe,
  });
  h.record('observation', 'localization-mismatch-log', {
    phase: phases.primaryReplaced,
    count: overrides.replacedLogCount ?? 3,
    lines: ['LOCALIZATION_MISMATCH: TPM primary key qualified name def differs'],
  });
  h.record('observation', 'replaced-primary-boot', {
    bootAtMs: 10_000,
    replacedQualifiedName: 'def',
    commands: [
      { atMs: 9_000, code: 0x120, name: 'EvictControl' },
      { atMs: 10_500, code: 0x17a, name: 'GetCapability' },
      { atMs: 10_600, code: 0x173, name: 'ReadPublic' },
    ],
    ...overrides.replacedBoot,
  });
  for (const phase of [phases.bootChainHealed, phases.migrationHealed])
    h.record('observation', 'store-readback', {
      phase,
      ok: true,
      detail: 'GET 200, same bytes',
      machine: 'home',
    });
  return h;
}

async function statuses(h: History) {
  return Object.fromEntries(
    (await runChecks(bootBindingChecks, h, capabilities)).map((r) => [r.name, r.status]),
  );
}

describe('boot-binding checks', () => {
  it('all pass on the evidence of a correct stack', async () => {
    expect(Object.values(await statuses(history()))).toEqual(
      Array(bootBindingChecks.length).fill('pass'),
    );
  });

  it('fail kek-sealed-to-pcrs when the KEK is a plain file, has no PCR policy, or lies on disk in clear', async () => {
    expect((await statuses(history({ home: { present: false } })))['kek-sealed-to-pcrs']).toBe(
      'fail',
    );
    const noPolicy = {
      inspection: {
        attributes: 'fixedtpm|fixedparent|userwithauth',
        authPolicy: '',
        expectedPolicy: policy,
        pcrs: 'sha256:7',
      },
      withoutAuth: { mode: 'no-auth', ok: true, detail: '' },
    };
    expect((await statuses(history({ home: noPolicy })))['kek-sealed-to-pcrs']).toBe('fail');
    expect(
      (await statuses(history({ home: { kekFoundIn: ['/var/lib/residency/tpm/kek.bin'] } })))[
        'kek-sealed-to-pcrs'
      ],
    ).toBe('fail');
  });

  it('fail a refusal check when the store answers or the TPM releases the KEK', async () => {
    expect(
      (await statuses(history({ changedProbe: { network: open } })))[
        'refused-after-boot-chain-change'
      ],
    ).toBe('fail');
    expect(
      (
        await statuses(
          history({ changed: { withoutAuth: { mode: 'no-auth', ok: true, detail: '' } } }),
        )
      )['refused-after-boot-chain-change'],
    ).toBe('fail');
    expect(
      (await statuses(history({ migrated: { present: false } })))['refused-on-foreign-machine'],
    ).toBe('fail');
  });

  it('say the sealed KEK is gone, not that none was ever sealed, when a refusal deleted it', async () => {
    const results = await runChecks(
      bootBindingChecks,
      history({ changed: { present: false } }),
      capabilities,
    );
    const refusal = results.find((r) => r.name === 'refused-after-boot-chain-change');
    expect(refusal?.status).toBe('fail');
    expect(refusal?.summary).toContain('was on the disk at home is gone since the fault');
  });

  it('fail refused-under-replaced-primary when the stack loads or unseals under the stranger key, serves, or logs nothing', async () => {
    const loaded = {
      commands: [
        { atMs: 10_600, code: 0x173, name: 'ReadPublic' },
        { atMs: 10_700, code: 0x157, name: 'Load' },
      ],
    };
    expect(
      (await statuses(history({ replacedBoot: loaded })))['refused-under-replaced-primary'],
    ).toBe('fail');
    expect(
      (await statuses(history({ replacedProbe: { network: open } })))[
        'refused-under-replaced-primary'
      ],
    ).toBe('fail');
    expect(
      (await statuses(history({ replacedLogCount: 2 })))['refused-under-replaced-primary'],
    ).toBe('fail');
  });

  it('say unknown for refused-under-replaced-primary when the key was not replaced or the bus saw nothing', async () => {
    expect(
      (await statuses(history({ replacedBoot: { replacedQualifiedName: 'abc' } })))[
        'refused-under-replaced-primary'
      ],
    ).toBe('unknown');
    expect(
      (
        await statuses(
          history({
            replacedBoot: { commands: [{ atMs: 9_000, code: 0x120, name: 'EvictControl' }] },
          }),
        )
      )['refused-under-replaced-primary'],
    ).toBe('unknown');
  });

  it.each(['CreateLoaded', 'Import', 'RSA_Decrypt', 'ECDH_ZGen'])(
    'fail refused-under-replaced-primary on TPM2_%s under the stranger key, not only Load, Unseal or Create',
    async (name) => {
      const used = {
        commands: [
          { atMs: 10_600, code: 0x173, name: 'ReadPublic' },
          { atMs: 10_700, code: 0, name },
        ],
      };
      expect(
        (await statuses(history({ replacedBoot: used })))['refused-under-replaced-primary'],
      ).toBe('fail');
    },
  );

  it('pass refused-under-replaced-primary when the bus shows only reads, sessions and signing', async () => {
    const quiet = {
      commands: ['ReadPublic', 'StartAuthSession', 'PolicyPCR', 'Sign', 'FlushContext'].map(
        (name, index) => ({ atMs: 10_600 + index, code: 0, name }),
      ),
    };
    expect(
      (await statuses(history({ replacedBoot: quiet })))['refused-under-replaced-primary'],
    ).toBe('pass');
  });

  it('say unknown for refused-under-replaced-primary when a lossy bus capture shows no key use, fail when it shows one', async () => {
    const gaps = ['tcpdump: 2 packets dropped by kernel'];
    const quiet = { commands: [{ atMs: 10_600, code: 0x173, name: 'ReadPublic' }], gaps };
    expect(
      (await statuses(history({ replacedBoot: quiet })))['refused-under-replaced-primary'],
    ).toBe('unknown');
    const loaded = {
      commands: [
        { atMs: 10_600, code: 0x173, name: 'ReadPublic' },
        { atMs: 10_700, code: 0x157, name: 'Load' },
      ],
      gaps,
    };
    expect(
      (await statuses(history({ replacedBoot: loaded })))['refused-under-replaced-primary'],
    ).toBe('fail');
  });

  it('say unknown, never pass, when the run stopped before the evidence was taken', async () => {
    const h = new History();
    expect(Object.values(await statuses(h))).toEqual(
      Array(bootBindingChecks.length).fill('unknown'),
    );
  });
});
