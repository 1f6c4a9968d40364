import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import type { MemoryScan } from '../../harness/checks/probes/memory-scan.ts';
import { describeScan } from '../../harness/checks/probes/memory-scan.ts';
import type { HsmCall } from '../../harness/checks/probes/hsm-calls.ts';
import type { TpmCommand } from '../../harness/checks/probes/tpm-bus.ts';
import { fail, pass, verdictOf } from '../../harness/checks/verdict.ts';
import type { History } from '../../harness/scenario/history.ts';
import { firstServedAt, stoppedServingBy, type AvailabilityProbe } from './store-availability.ts';
import { criticalDeadlineReached } from './thermal-checks.ts';
import type { LogLine } from './thermal-evidence.ts';

/** The outage as the UPS lived it: when the mains failed, when LB came, when the battery ran dry. */
export interface PowerTimeline {
  lossWallMs: number;
  /** When the UPS reported OB LB: its feeder's write of that state (else the model's time). */
  lowBatteryWallMs: number;
  lowBatterySource: string;
  exhaustedWallMs: number;
  /** When the harness cut the machine's power (the battery ran dry), if it did. */
  powerOffWallMs?: number;
}

type ScanObservation = MemoryScan & { phase: string };

function scans(history: History, phase: string): ScanObservation[] {
  return history
    .observations<ScanObservation>('memory-scan')
    .map((e) => e.data)
    .filter((s) => s.phase === phase);
}

function timeline(history: History): PowerTimeline {
  return lastObservation<PowerTimeline>(history, 'power-timeline').data;
}

/** When the keys were gone from memory, bracketed by the scans: after the last dirty one, by the first clean one. */
export function keysGoneWindow(history: History): {
  lastSeenMs?: number;
  goneByMs?: number;
  scans: ScanObservation[];
} {
  const before = scans(history, 'before-outage');
  if (!before.some((s) => s.foundInMemory.length > 0)) {
    throw new MissingEvidence(
      'memory-scan',
      'the scan did not find the key in memory even before the outage, so a clean scan proves nothing',
    );
  }
  const after = scans(history, 'after-lb');
  if (after.length === 0) throw new MissingEvidence('memory-scan', 'no scan after LB');
  const firstClean = after.find((s) => s.foundInMemory.length === 0);
  const dirty = after.filter(
    (s) =>
      s.foundInMemory.length > 0 &&
      (firstClean === undefined || s.startedAtMs < firstClean.startedAtMs),
  );
  return {
    lastSeenMs: dirty.at(-1)?.finishedAtMs,
    goneByMs: firstClean?.finishedAtMs,
    scans: after,
  };
}

/** No key byte left in any process of the host within `boundMs` of LB. */
export function keysGoneFromMemory(name: string, boundMs: number): Check {
  return {
    name,
    description: `Within ${boundMs} ms of the UPS reporting LB, no byte string of the data key is left in the memory of any process of the host (/proc/PID/mem, scanned from outside)`,
    verify(history) {
      const t = timeline(history);
      const window = keysGoneWindow(history);
      const last = window.scans.at(-1);
      const evidence = [
        {
          source: 'scan-memory before the outage (positive control)',
          excerpt: describeScan(scans(history, 'before-outage')[0] ?? (last as MemoryScan)),
        },
        ...window.scans.slice(-3).map((s) => ({
          source: `scan-memory ${new Date(s.startedAtMs).toISOString()}`,
          excerpt: describeScan(s),
        })),
      ];
      const expected = `the first clean scan finished within ${boundMs} ms of LB (${new Date(t.lowBatteryWallMs).toISOString()}, ${t.lowBatterySource})`;
      if (window.goneByMs === undefined) {
        return fail(
          `the data key was still in memory ${(last?.finishedAtMs ?? t.lowBatteryWallMs) - t.lowBatteryWallMs} ms after LB`,
          { expected, observed: last === undefined ? 'no scan' : describeScan(last), evidence },
        );
      }
      const goneMs = window.goneByMs - t.lowBatteryWallMs;
      const seen =
        window.lastSeenMs === undefined
          ? 'not seen after LB'
          : `last seen ${window.lastSeenMs - t.lowBatteryWallMs} ms after LB`;
      return verdictOf(
        goneMs <= boundMs,
        `keys gone from memory by ${goneMs} ms after LB (${seen})`,
        `keys gone only ${goneMs} ms after LB, beyond ${boundMs} ms`,
        {
          expected,
          observed: `gone by ${goneMs} ms after LB; ${seen}`,
          evidence,
        },
      );
    },
  };
}

/** After the wipe, no key on the host's tmpfs, root or disks. */
export function noKeyOnFilesystems(name: string): Check {
  return {
    name,
    description:
      "After the wipe, the data key is on no filesystem of the host: its tmpfs (/run), root and disks (read through the host's own view and by mounting the VM disks)",
    verify(history) {
      const scan = lastObservation<ScanObservation>(
        history,
        'memory-scan',
        (s) => s.phase === 'after-wipe',
      ).data;
      const disks = lastObservation<{ found: string[]; phase: string }>(
        history,
        'disk-scan',
        (d) => d.phase === 'after-wipe',
      ).data;
      const found = [...scan.files.map((f) => `${f.path} [${f.label}]`), ...disks.found];
      return verdictOf(
        found.length === 0,
        `no key in ${scan.filesScanned} files of the host nor on its disks`,
        `key material found in ${found.join(', ')}`,
        {
          expected: 'no file holding the data key in any encoding',
          observed: found.join(', ') || 'none',
          evidence: [
            {
              source: 'scan-memory --files (/proc/1/root of the host)',
              excerpt: `${scan.filesScanned} files scanned`,
            },
            {
              source: 'scan-bytes on the VM disks mounted read-only',
              excerpt: disks.found.join(', ') || 'none',
            },
          ],
        },
      );
    },
  };
}

/** The sovereign services stop after LB, seen from the zone before the machine loses power. */
export function servicesStoppedAfterLowBattery(name: string, boundMs: number): Check {
  return {
    name,
    description: `Within ${boundMs} ms of LB the store stops answering (probed from the zone), before the machine loses power`,
    verify(history) {
      const t = timeline(history);
      const probes = lastObservation<{ probes: AvailabilityProbe[] }>(history, 'store-availability')
        .data.probes;
      const powered = probes.filter(
        (p) => t.powerOffWallMs === undefined || p.finishedAtMs < t.powerOffWallMs,
      );
      const stopped = stoppedServingBy(powered, t.lossWallMs);
      const expected = `the store port refuses connections within ${boundMs} ms of LB, while the machine still has power`;
      const evidence = [
        {
          source: 'TCP connects to the store port from the zone observer',
          excerpt: `${powered.length} probes before power-off; last: ${powered.at(-1)?.detail ?? '-'}`,
        },
      ];
      if (stopped === undefined)
        return fail('the store still answered when the machine lost power', {
          expected,
          observed: 'serving',
          evidence,
        });
      const afterMs = stopped.byMs - t.lowBatteryWallMs;
      return verdictOf(
        afterMs <= boundMs,
        `the store stopped by ${afterMs} ms after LB`,
        `the store stopped only ${afterMs} ms after LB`,
        { expected, observed: `${afterMs} ms after LB`, evidence },
      );
    },
  };
}

/** The keys are gone before the model, with cooling lost, reaches its critical temperature. */
export function wipeBeforeThermalCritical(name: string): Check {
  return {
    name,
    description:
      "The keys are gone from memory before the thermal model, with the cooling lost at the power failure, reaches the hardware's critical temperature",
    verify(history) {
      const deadline = criticalDeadlineReached(history);
      const window = keysGoneWindow(history);
      const expected = `keys gone before ${new Date(deadline.criticalWallMs).toISOString()} (${deadline.sensor} at ${deadline.criticalC} C)`;
      const evidence = [
        {
          source: 'thermal model (harness)',
          excerpt: `${deadline.sensor} reaches ${deadline.criticalC} C at model ${deadline.criticalModelS?.toFixed(0) ?? '?'} s`,
        },
      ];
      if (window.goneByMs === undefined)
        return fail('the keys were still in memory at the last scan', {
          expected,
          observed: 'not gone',
          evidence,
        });
      const marginMs = deadline.criticalWallMs - window.goneByMs;
      return verdictOf(
        marginMs > 0,
        `keys gone ${marginMs} ms before the critical temperature`,
        `keys gone ${-marginMs} ms after the critical temperature`,
        { expected, observed: `margin ${marginMs} ms`, evidence },
      );
    },
  };
}

/** The stack says it shut down gracefully (a second witness to the scans). */
export function shutdownLogged(name: string): Check {
  return {
    name,
    description:
      'The stack logs KEYS_WIPED and RESIDENCY_SHUTDOWN_COMPLETE after the power failure (second witness)',
    verify(history) {
      const t = timeline(history);
      const lines = lastObservation<{ lines: LogLine[] }>(
        history,
        'residency-log',
      ).data.lines.filter((l) => l.atMs >= t.lossWallMs);
      const wiped = lines.find((l) => /KEYS_WIPED/.test(l.text));
      const complete = lines.find((l) => /RESIDENCY_SHUTDOWN_COMPLETE/.test(l.text));
      return verdictOf(
        wiped !== undefined && complete !== undefined,
        `the stack logged its shutdown ${(wiped?.atMs ?? 0) - t.lowBatteryWallMs} ms after LB`,
        'the stack logged no complete graceful shutdown',
        {
          expected: 'KEYS_WIPED and RESIDENCY_SHUTDOWN_COMPLETE in residency.log',
          observed: [wiped?.text, complete?.text].filter(Boolean).join(' | ') || 'none',
          evidence: [
            {
              source: 'residency.log on the VM disk',
              excerpt:
                lines
                  .filter((l) => /POWER|SHUTDOWN|KEYS/.test(l.text))
                  .map((l) => l.text)
                  .join('\n') || '(nothing after the power failure)',
            },
          ],
        },
      );
    },
  };
}

export interface RestoreObservation {
  powerOnWallMs: number;
  commands: TpmCommand[];
}

export interface HsmCallsObservation {
  /** The HSM serving the host, or undefined when the host has none (boot binding alone). */
  hsm?: string;
  calls: HsmCall[];
}

/**
 * After power returns, the store answers only after the host has unsealed its KEK with the TPM
 * (TPM2_Unseal on the machine's TPM bus) and, under key custody, unwrapped the data key with the
 * HSM (C_Decrypt in the HSM's own log): keys come back only the way they came at first boot.
 */
export function servesOnlyAfterUnsealAndUnwrap(name: string): Check {
  return {
    name,
    description:
      "After power returns, the store answers only after the host sends TPM2_Unseal to its machine's TPM (seen on the TPM bus) and asks its HSM to unwrap the data key (C_Decrypt, seen by the HSM)",
    verify(history) {
      const restore = lastObservation<RestoreObservation>(history, 'tpm-bus').data;
      const hsm = lastObservation<HsmCallsObservation>(history, 'hsm-calls').data;
      const probes = lastObservation<{ probes: AvailabilityProbe[] }>(history, 'store-availability')
        .data.probes;
      const servedAt = firstServedAt(probes, restore.powerOnWallMs);
      if (servedAt === undefined)
        throw new MissingEvidence(
          'store-availability',
          'the store never answered after power returned',
        );
      const since = restore.powerOnWallMs - 1_000;
      const unseal = restore.commands.find((c) => c.name === 'Unseal' && c.atMs >= since);
      const unwrap = hsm.calls.find((c) => c.call.startsWith('C_Decrypt') && c.atMs >= since);
      const evidence = [
        {
          source: "tcpdump on the machine's TPM bus (loopback, port 2321)",
          excerpt:
            restore.commands
              .filter((c) => c.atMs >= since)
              .map((c) => `${new Date(c.atMs).toISOString()} ${c.name}`)
              .slice(0, 12)
              .join('\n') || '(no command)',
        },
        {
          source: `p11-kit RPC log of HSM ${hsm.hsm ?? '(none)'}`,
          excerpt:
            hsm.calls
              .filter((c) => c.atMs >= since && /Decrypt|Login|OpenSession/.test(c.call))
              .map((c) => `${new Date(c.atMs).toISOString()} ${c.call}`)
              .slice(0, 8)
              .join('\n') || '(no call)',
        },
        {
          source: 'TCP connects to the store port from the zone observer',
          excerpt: `first answer at ${new Date(servedAt).toISOString()}`,
        },
      ];
      const problems: string[] = [];
      if (unseal === undefined) problems.push('no TPM2_Unseal after power returned');
      else if (unseal.atMs > servedAt) problems.push('the store answered before the TPM unseal');
      if (hsm.hsm !== undefined) {
        if (unwrap === undefined)
          problems.push(`no C_Decrypt at HSM ${hsm.hsm} after power returned`);
        else if (unwrap.atMs > servedAt) problems.push('the store answered before the HSM unwrap');
      }
      const order = [
        unseal === undefined ? undefined : `${servedAt - unseal.atMs} ms after TPM2_Unseal`,
        unwrap === undefined ? undefined : `${servedAt - unwrap.atMs} ms after the HSM unwrap`,
      ]
        .filter(Boolean)
        .join(', ');
      return verdictOf(
        problems.length === 0,
        `the store served again ${order}`,
        problems.join('; '),
        {
          expected: `TPM2_Unseal${hsm.hsm === undefined ? '' : ' and C_Decrypt at the HSM'} after power-on, before the store first answers`,
          observed: problems.join('; ') || order,
          evidence,
        },
      );
    },
  };
}

/** The object written before the outage reads back byte for byte. */
export function dataIntactAfterRestore(name: string): Check {
  return {
    name,
    description: 'The object written before the outage reads back intact after power returns',
    verify(history) {
      const read = lastObservation<{ ok: boolean; detail: string; status: number }>(
        history,
        'store-readback',
      ).data;
      return verdictOf(
        read.ok,
        'the data written before the outage read back intact',
        `read back failed: ${read.detail}`,
        {
          expected: 'GET 200 with the same bytes',
          observed: read.detail,
          evidence: [{ source: 'curl from the zone observer', excerpt: read.detail }],
        },
      );
    },
  };
}

/** No key material on the VM disks after the restore (a key cache would be). */
export function noKeyOnDiskAfterRestore(name: string): Check {
  return {
    name,
    description:
      "After power returns, the data key is on neither of the VM's disks in any encoding (no key cache)",
    verify(history) {
      const disks = lastObservation<{ found: string[] }>(
        history,
        'disk-scan',
        (d) => (d as { phase?: string }).phase === 'after-restore',
      ).data;
      return disks.found.length === 0
        ? pass('no key on the VM disks after the restore')
        : fail(`key material on the VM disks: ${disks.found.join(', ')}`, {
            expected: 'none',
            observed: disks.found.join(', '),
          });
    },
  };
}
