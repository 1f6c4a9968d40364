import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { fail, pass, verdictOf } from '../../harness/checks/verdict.ts';
import type { History } from '../../harness/scenario/history.ts';
import {
  replacedPrimaryBoot,
  type PrimaryKeyObservation,
  type ReadBackObservation,
  type SealedKekObservation,
  type ServiceProbeObservation,
} from './boot-binding-evidence.ts';
import type { StoreRoundTrip } from '../../harness/checks/probes/store-probe.ts';

type RoundTrip = StoreRoundTrip & { phase: string; host: string; machine: string };

const phases = {
  home: 'home',
  bootChainChanged: 'boot-chain-changed',
  bootChainHealed: 'boot-chain-healed',
  migrated: 'migrated',
  migrationHealed: 'migration-healed',
  primaryReplaced: 'primary-replaced',
} as const;

/**
 * TPM commands that put an object under a parent key, or unwrap with a loaded key's secret:
 * nothing may be loaded, unsealed, sealed, imported or decrypted under a stranger. Not only the
 * reference stack's own (Load, Unseal, Create): `tpm2_create -c` seals with CreateLoaded, a key
 * can be wrapped to a parent by Import, and a stack that wraps its KEK to the primary's public key
 * unwraps it with RSA_Decrypt or ECDH_ZGen. Signing and public-key operations are left out: an
 * attestation key outside the storage hierarchy may sign at boot without touching the stranger.
 */
const keyUses = new Set([
  'Load',
  'Unseal',
  'Create',
  'CreateLoaded',
  'Import',
  'Duplicate',
  'Rewrap',
  'ObjectChangeAuth',
  'RSA_Decrypt',
  'ECDH_ZGen',
  'EncryptDecrypt',
  'EncryptDecrypt2',
]);

type MismatchLog = { phase: string; count: number; lines: string[]; attachment?: string };
export { phases };

function roundTrip(history: History, phase: string) {
  return lastObservation<RoundTrip>(history, 'store-roundtrip', (d) => d.phase === phase);
}

function describeProbe(p: ServiceProbeObservation): string {
  return `loopback ${p.loopback.connected ? 'accepted' : 'refused'} (${p.loopback.detail}); network ${p.network.target} ${p.network.connected ? 'accepted' : 'refused'} (${p.network.detail})`;
}

/** A refusal seen from outside: nothing listens on the machine and the TPM would not unseal. */
function refusalCheck(name: string, description: string, phase: string): Check {
  return {
    name,
    description,
    verify(history) {
      const probe = lastObservation<ServiceProbeObservation>(
        history,
        'service-probe',
        (d) => d.phase === phase,
      ).data;
      const kek = lastObservation<SealedKekObservation>(
        history,
        'sealed-kek',
        (d) => d.phase === phase,
      ).data;
      const serviceDown = !probe.loopback.connected && !probe.network.connected;
      const problems: string[] = [];
      if (!serviceDown) problems.push(`the store answered on ${probe.machine}`);
      const sealedAtHome = history
        .observations<SealedKekObservation>('sealed-kek')
        .some((o) => o.data.phase === phases.home && o.data.present);
      if (!kek.present)
        problems.push(
          sealedAtHome
            ? "the TPM-sealed KEK that was on the disk at home is gone since the fault: the refusal cannot be shown to be the TPM's, and nothing is left to serve the data with after a heal"
            : 'there is no TPM-sealed KEK on the disk, so no TPM stands between this machine and the key',
        );
      if (kek.withPolicy?.ok === true)
        problems.push(`the TPM of ${probe.machine} unsealed the KEK under the PCR policy`);
      if (kek.withoutAuth?.ok === true)
        problems.push(`the TPM of ${probe.machine} unsealed the KEK with no authorization`);
      const observed = `on ${probe.machine}: store ${serviceDown ? 'not answering' : 'ANSWERING'}: ${describeProbe(probe)}; TPM unseal by the harness: ${
        kek.present
          ? `policy ${kek.withPolicy?.ok === true ? 'UNSEALED' : 'refused'} (${kek.withPolicy?.detail ?? ''}), no-auth ${kek.withoutAuth?.ok === true ? 'UNSEALED' : 'refused'}`
          : 'no sealed KEK on the disk'
      }`;
      return verdictOf(
        problems.length === 0,
        `store refused to start on ${probe.machine} and the TPM would not release the KEK`,
        problems.join('; '),
        {
          expected:
            'no listener on the store port (loopback and network) and the sealed KEK not unsealable',
          observed,
          evidence: [
            {
              source: 'tcp probe from the machine board and the zone observer',
              excerpt: describeProbe(probe),
            },
            {
              source: 'tpm2_load + tpm2_unseal by the harness',
              excerpt: JSON.stringify({ withPolicy: kek.withPolicy, withoutAuth: kek.withoutAuth }),
            },
          ],
        },
      );
    },
  };
}

export const bootBindingChecks: Check[] = [
  {
    name: 'serves-on-home-machine',
    description:
      'On the machine that provisioned it, the host boots and its store takes a write and reads it back',
    verify(history) {
      const trip = roundTrip(history, phases.home).data;
      return verdictOf(
        trip.ok,
        `store round trip on ${trip.machine} succeeded`,
        `store round trip on ${trip.machine} failed: ${trip.detail}`,
        {
          expected: 'PUT 201, GET 200 with the same bytes',
          observed: trip.detail,
          evidence: [{ source: trip.command, excerpt: trip.detail }],
        },
      );
    },
  },
  {
    name: 'primary-key-recorded',
    description:
      "The TPM primary key's qualified name read from the TPM matches the one recorded in the residency audit log",
    verify(history) {
      const o = lastObservation<PrimaryKeyObservation>(history, 'tpm-primary-key').data;
      const fromTpm = o.fromTpm.qualifiedName;
      const evidence = [
        {
          source: `tpm2_readpublic -c ${o.fromTpm.handle} on ${o.machine}`,
          excerpt: fromTpm ?? o.fromTpm.detail,
          attachment: o.attachments?.tpm,
        },
        {
          source: 'audit log on the VM disk',
          excerpt: o.auditLine ?? '(no qualified_name record)',
          attachment: o.attachments?.audit,
        },
      ];
      if (fromTpm === undefined)
        return fail(`no primary key at ${o.fromTpm.handle} in the TPM of ${o.machine}`, {
          evidence,
        });
      return verdictOf(
        o.recordedQualifiedName === fromTpm,
        "the recorded qualified name is the TPM primary key's",
        "the audit log does not record the TPM primary key's qualified name",
        { expected: fromTpm, observed: o.recordedQualifiedName ?? '(none recorded)', evidence },
      );
    },
  },
  {
    name: 'kek-sealed-to-pcrs',
    description:
      'The KEK exists only sealed by the TPM under a PCR policy: it unseals with the policy, not without, and is nowhere on disk in clear',
    verify(history) {
      const o = lastObservation<SealedKekObservation>(
        history,
        'sealed-kek',
        (d) => d.phase === phases.home,
      ).data;
      if (!o.present || o.inspection === undefined) {
        return fail('no sealed KEK (kek.pub / kek.priv) on the VM disk', {
          expected: 'a TPM-sealed KEK at /var/lib/residency/tpm',
          observed: 'absent',
        });
      }
      const problems: string[] = [];
      if (o.inspection.authPolicy !== o.inspection.expectedPolicy) {
        problems.push(
          `its policy ${o.inspection.authPolicy || '(none)'} is not the ${o.inspection.pcrs} policy ${o.inspection.expectedPolicy}`,
        );
      }
      if (/userwithauth/.test(o.inspection.attributes))
        problems.push('it can be unsealed with a password (userwithauth)');
      if (o.withPolicy?.ok !== true)
        problems.push(`it does not unseal with the PCR policy (${o.withPolicy?.detail ?? ''})`);
      if (o.withoutAuth?.ok === true) problems.push('it unseals with no authorization at all');
      if ((o.kekFoundIn ?? []).length > 0)
        problems.push(`the KEK is in clear in ${(o.kekFoundIn ?? []).join(', ')}`);
      const evidence = [
        {
          source: 'tpm2_print -t TPM2B_PUBLIC kek.pub',
          excerpt: `attributes ${o.inspection.attributes}; authorization policy ${o.inspection.authPolicy}`,
        },
        {
          source: `tpm2_createpolicy --policy-pcr -l ${o.inspection.pcrs}`,
          excerpt: o.inspection.expectedPolicy,
        },
        {
          source: 'scan of the VM disks for the unsealed KEK',
          excerpt: (o.kekFoundIn ?? []).join(', ') || 'not found',
        },
      ];
      return problems.length === 0
        ? pass(`KEK sealed to ${o.inspection.pcrs} on ${o.machine}`, { evidence })
        : fail(problems.join('; '), {
            expected: `sealed to ${o.inspection.pcrs}, policy-only, never in clear`,
            observed: problems.join('; '),
            evidence,
          });
    },
  },
  refusalCheck(
    'refused-after-boot-chain-change',
    'After the machine boots a changed boot chain (PCR 7 differs), the KEK does not unseal and the store does not start',
    phases.bootChainChanged,
  ),
  refusalCheck(
    'refused-on-foreign-machine',
    "The VM's disks started on another machine (another TPM, non-sovereign): the KEK does not unseal and the store does not start",
    phases.migrated,
  ),
  {
    name: 'localization-mismatch-logged',
    description: 'The stack logs LOCALIZATION_MISMATCH for each refused boot (second witness)',
    verify(history) {
      const after = (phase: string) =>
        lastObservation<MismatchLog>(history, 'localization-mismatch-log', (d) => d.phase === phase)
          .data;
      const changed = after(phases.bootChainChanged).count;
      const migratedLog = after(phases.migrated);
      const migrated = migratedLog.count;
      const lines = migratedLog.lines;
      return verdictOf(
        changed >= 1 && migrated > changed,
        'LOCALIZATION_MISMATCH logged for the changed boot chain and for the foreign machine',
        'LOCALIZATION_MISMATCH missing for a refused boot',
        {
          expected: 'one line after the boot chain change and one more after the migration',
          observed: `${changed} after the boot chain change, ${migrated} after the migration`,
          evidence: [
            {
              source: '/var/lib/residency/log/residency.log on the VM disk',
              excerpt: lines.slice(-3).join('\n') || '(none)',
              attachment: migratedLog.attachment,
            },
          ],
        },
      );
    },
  },
  {
    name: 'recovers-after-heal',
    description:
      'With the boot chain restored and the VM back home, the store serves again and data written before reads back intact',
    verify(history) {
      const healed = [phases.bootChainHealed, phases.migrationHealed].map(
        (phase) =>
          lastObservation<ReadBackObservation>(history, 'store-readback', (d) => d.phase === phase)
            .data,
      );
      const failed = healed.filter((t) => !t.ok);
      return verdictOf(
        failed.length === 0,
        'the store served the data written before the faults after each heal',
        `the store did not recover: ${failed.map((t) => `${t.phase}: ${t.detail}`).join('; ')}`,
        {
          expected: 'GET 200 with the bytes written before the faults, after each heal',
          observed: healed.map((t) => `${t.phase}: ${t.detail}`).join('; '),
          evidence: healed.map((t) => ({
            source: `curl from the zone observer to ${t.machine}`,
            excerpt: `${t.phase}: ${t.detail}`,
          })),
        },
      );
    },
  },
  {
    name: 'refused-under-replaced-primary',
    description:
      "With the TPM's primary key replaced by another one at the same handle (same TPM, same PCRs), the store does not start, the residency log says LOCALIZATION_MISMATCH, and the TPM bus shows nothing loaded, unsealed or sealed under the stranger key",
    // The bus is read with tcpdump on the machine's loopback.
    needs: ['cap:NET_RAW'],
    verify(history) {
      const boot = lastObservation(history, replacedPrimaryBoot).data;
      const recorded = lastObservation<PrimaryKeyObservation>(history, 'tpm-primary-key').data
        .recordedQualifiedName;
      const probe = lastObservation<ServiceProbeObservation>(
        history,
        'service-probe',
        (d) => d.phase === phases.primaryReplaced,
      ).data;
      const logAfter = lastObservation<MismatchLog>(
        history,
        'localization-mismatch-log',
        (d) => d.phase === phases.primaryReplaced,
      ).data;
      const logBefore = lastObservation<MismatchLog>(
        history,
        'localization-mismatch-log',
        (d) => d.phase === phases.migrated,
      ).data;
      if (boot.replacedQualifiedName === undefined || boot.replacedQualifiedName === recorded)
        return {
          status: 'unknown',
          summary: `the primary key was not replaced (qualified name at the handle: ${boot.replacedQualifiedName ?? 'none'}, recorded: ${recorded ?? 'none'})`,
        };
      const sinceBoot = boot.commands.filter((c) => c.atMs >= boot.bootAtMs);
      if (sinceBoot.length === 0)
        return {
          status: 'unknown',
          summary:
            'the TPM bus capture saw no command at all from the boot on, so it proves nothing',
        };
      const uses = sinceBoot.filter((c) => keyUses.has(c.name));
      const gaps = boot.gaps ?? [];
      if (uses.length === 0 && gaps.length > 0)
        return {
          status: 'unknown',
          summary: `the TPM bus capture is not whole (${gaps.join('; ')}): a use of the replaced key may be among what it lost`,
        };
      const problems: string[] = [];
      if (probe.loopback.connected || probe.network.connected)
        problems.push(`the store answered: ${describeProbe(probe)}`);
      if (logAfter.count <= logBefore.count)
        problems.push('no new LOCALIZATION_MISMATCH in the residency log');
      if (uses.length > 0)
        problems.push(
          `the stack used the replaced key: ${uses.map((c) => `TPM2_${c.name} +${c.atMs - boot.bootAtMs}ms`).join(', ')}`,
        );
      return verdictOf(
        problems.length === 0,
        'the stack saw the stranger key for what it is and used it for nothing',
        problems.join('; '),
        {
          expected:
            'store down; a new LOCALIZATION_MISMATCH line; no command that loads, seals, unseals, imports or uses a key under the stranger on the bus (TPM2_Load, TPM2_Unseal, TPM2_Create, TPM2_CreateLoaded, TPM2_RSA_Decrypt, ...)',
          observed: `qualified name now ${boot.replacedQualifiedName}, recorded ${recorded ?? '?'}; ${describeProbe(probe)}; LOCALIZATION_MISMATCH lines ${logBefore.count} -> ${logAfter.count}; bus: ${sinceBoot.map((c) => c.name).join(', ')}`,
          evidence: [
            {
              source:
                "tcpdump on the machine's TPM bus (loopback port 2321), decoded by tpm-commands",
              excerpt: sinceBoot
                .map((c) => `+${c.atMs - boot.bootAtMs}ms TPM2_${c.name}`)
                .join('\n'),
            },
            {
              source: '/var/lib/residency/log/residency.log on the VM disk',
              excerpt: logAfter.lines.slice(-1).join('') || '(none)',
              attachment: logAfter.attachment,
            },
          ],
        },
      );
    },
  },
];
