import { lastObservation, MissingEvidence, type Check } from '../../harness/checks/check.ts';
import type { ListeningSocket, MemoryScan } from '../../harness/checks/probes/memory-scan.ts';
import type { ContractBound } from '../../harness/contract/contract-bounds.ts';
import { boundValue } from '../../harness/scenario/scenario-bounds.ts';
import { fileCanary, knownKeys, sovereignPorts } from './power-observations.ts';
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
  /** When upsd reported OB LB, as the harness's own upsc first read it (else the model's time). */
  lowBatteryWallMs: number;
  lowBatterySource: string;
  /**
   * What made the stack's shutdown due: upsd reporting OB LB (the default), or FSD set by a
   * primary monitor before LB; `lowBatteryWallMs` is then when the harness first read FSD.
   */
  criticalStatus?: 'LB' | 'FSD';
  /** When the UPS simulator's feeder wrote OB LB for upsd's driver (earlier: the driver re-reads it). */
  lowBatteryWrittenWallMs?: number;
  exhaustedWallMs: number;
  /** When the harness cut the machine's power (the battery ran dry), if it did. */
  powerOffWallMs?: number;
}

export type ScanObservation = MemoryScan & { phase: string };

/** When a scan had read the processes' memory and the sockets (before any file scan). */
function processesReadBy(scan: MemoryScan): number {
  return scan.processesFinishedAtMs ?? scan.finishedAtMs;
}

/** The memory scans of a phase ('memory-scan'), in the order they ran. */
export function scans(history: History, phase: string): ScanObservation[] {
  return history
    .observations<ScanObservation>('memory-scan')
    .map((e) => e.data)
    .filter((s) => s.phase === phase);
}

function timeline(history: History): PowerTimeline {
  return lastObservation<PowerTimeline>(history, 'power-timeline').data;
}

/** A scan's hits, by secret label, in a line. */
function labelsIn(scan: MemoryScan): string {
  return scan.foundInMemory.join(', ');
}

/** The keys the scans must see while the host serves: those the stack holds to serve. */
export function heldWhileServing(history: History): string[] {
  return lastObservation(history, knownKeys)
    .data.keys.filter((k) => k.heldWhileServing)
    .map((k) => k.label);
}

/** What a focused scan read: its processes, or its regions by the addresses they held. */
function focusNamed(scan: ScanObservation): string {
  return scan.focusAddresses == null
    ? `pid ${(scan.focus ?? []).join(', ')}`
    : scan.focusAddresses.join(', ');
}

/**
 * When the keys were gone from memory, bracketed by the scans through the outage: after the last
 * scan that found one, by the first that found none. A scan after that which finds a key again is
 * a key that came back.
 */
export function keysGoneWindow(history: History): {
  lastSeenMs?: number;
  goneByMs?: number;
  /**
   * The first clean scan: a focused one read only the processes that had held a key (and, narrowed
   * to regions, only their regions where one had been).
   */
  firstClean?: ScanObservation;
  scans: ScanObservation[];
  cameBack: ScanObservation[];
} {
  const before = scans(history, 'before-outage');
  const seen = new Set(before.flatMap((s) => s.foundInMemory));
  const unseen = heldWhileServing(history).filter((label) => !seen.has(label));
  if (before.length === 0 || unseen.length > 0) {
    throw new MissingEvidence(
      'memory-scan',
      `the scans did not find ${unseen.join(', ') || 'any key'} in memory even before the outage, so a clean scan proves nothing`,
    );
  }
  const after = scans(history, 'outage');
  if (after.length === 0) throw new MissingEvidence('memory-scan', 'no scan through the outage');
  const firstClean = after.find((s) => s.foundInMemory.length === 0);
  const dirty = after.filter(
    (s) =>
      s.foundInMemory.length > 0 &&
      (firstClean === undefined || s.startedAtMs < firstClean.startedAtMs),
  );
  const cameBack =
    firstClean === undefined
      ? []
      : after.filter((s) => s.startedAtMs > firstClean.startedAtMs && s.foundInMemory.length > 0);
  return {
    lastSeenMs:
      dirty.at(-1) === undefined ? undefined : processesReadBy(dirty.at(-1) as MemoryScan),
    goneByMs: firstClean === undefined ? undefined : processesReadBy(firstClean),
    ...(firstClean === undefined ? {} : { firstClean }),
    scans: after,
    cameBack,
  };
}

/**
 * No byte string of any key the harness learnt is left in any process of the host within
 * `bound` of LB, and none comes back until the power is gone.
 */
export function keysGoneFromMemory(name: string, bound: ContractBound): Check {
  return {
    name,
    description: `Within the wipe bound (contract: ${bound.contract} ms) of the UPS reporting LB, no byte string of any key the harness learnt from outside (data key, zone keys, KEK) is left in any readable memory of any process of the host (/proc/PID/mem, scanned from outside), and none comes back until the power is gone`,
    verify(history) {
      const boundMs = boundValue(history, bound);
      const t = timeline(history);
      const crit = t.criticalStatus ?? 'LB';
      const window = keysGoneWindow(history);
      const last = window.scans.at(-1);
      const ms = (at: number) => at - t.lowBatteryWallMs;
      const evidence = [
        {
          source: 'scan-memory before the outage (positive control)',
          excerpt: scans(history, 'before-outage')
            .map((s) => describeScan(s))
            .join('\n'),
        },
        ...window.scans
          .filter((s) => s.foundInMemory.length > 0)
          .slice(-3)
          .map((s) => ({
            source: `scan-memory ${ms(s.startedAtMs)} ms after ${crit}`,
            excerpt: describeScan(s),
          })),
      ];
      const watched = `${window.scans.length} scans until ${last === undefined ? '?' : ms(last.finishedAtMs)} ms after ${crit}`;
      const expected = `the first clean scan finished within ${boundMs} ms of ${crit} (${new Date(t.lowBatteryWallMs).toISOString()}, ${t.lowBatterySource}), and every later scan clean`;
      if (window.goneByMs === undefined) {
        return fail(
          `${last === undefined ? 'a key' : labelsIn(last)} still in memory ${(last?.finishedAtMs ?? t.lowBatteryWallMs) - t.lowBatteryWallMs} ms after ${crit}`,
          { expected, observed: `${watched}; none clean`, evidence },
        );
      }
      const goneMs = ms(window.goneByMs);
      const seen =
        window.lastSeenMs === undefined
          ? 'not seen after the mains failed'
          : `last seen ${ms(window.lastSeenMs)} ms after ${crit}`;
      const back = window.cameBack[0];
      if (back !== undefined)
        return fail(
          window.firstClean?.focus != null
            ? `${labelsIn(back)} in memory ${ms(back.startedAtMs)} ms after ${crit}, after a scan of only the ${window.firstClean.focusAddresses == null ? 'processes' : 'memory regions'} that had held a key (${focusNamed(window.firstClean)}) was clean at ${goneMs} ms: still held elsewhere, or back`
            : `${labelsIn(back)} came back in memory ${ms(back.startedAtMs)} ms after ${crit}, after a clean scan at ${goneMs} ms`,
          {
            expected,
            observed: `${watched}; ${window.cameBack.length} found a key again`,
            evidence: [
              ...evidence,
              {
                source: `scan-memory ${ms(back.startedAtMs)} ms after ${crit}`,
                excerpt: describeScan(back),
              },
            ],
          },
        );
      return verdictOf(
        goneMs <= boundMs,
        `keys gone from memory by ${goneMs} ms after ${crit} (${seen}), none back in ${watched}`,
        `keys gone only ${goneMs} ms after ${crit}, beyond ${boundMs} ms`,
        { expected, observed: `gone by ${goneMs} ms after ${crit}; ${seen}; ${watched}`, evidence },
      );
    },
  };
}

/**
 * After the wipe bound, no key on any filesystem of the host (its root, /run, its system, data and
 * audit disks, read through the host's own view on every file scan until the power is gone) nor
 * on the VM disks mounted from outside.
 */
export function noKeyOnFilesystems(name: string, bound: ContractBound): Check {
  return {
    name,
    description:
      "After the wipe bound, no key the harness learnt is on any filesystem of the host: its root, tmpfs (/run), system, data and audit disks (read through the host's own view on every file scan until the power is gone, and by mounting the VM disks)",
    verify(history) {
      const t = timeline(history);
      const after = t.lowBatteryWallMs + boundValue(history, bound);
      const fileScans = scans(history, 'outage').filter(
        (s) => s.startedAtMs >= after && s.filesystems !== undefined && s.filesystems.length > 0,
      );
      if (fileScans.length === 0)
        throw new MissingEvidence(
          'memory-scan',
          "no scan of the host's files after the wipe bound",
        );
      const disks = lastObservation<{ found: string[]; phase: string }>(
        history,
        'disk-scan',
        (d) => d.phase === 'after-wipe',
      ).data;
      // The positive control: each scan of the files, and the scan of the disks, found the
      // harness's own canary wherever it was planted, or a clean result proves nothing.
      const canary = lastObservation(history, fileCanary).data;
      const canaryIn = (entry: string) => entry.endsWith(` [${canary.label}]`);
      const canaryMissed = fileScans.flatMap((s) => {
        const seen = new Set(s.files.filter((f) => f.label === canary.label).map((f) => f.path));
        return canary.paths.filter((p) => !seen.has(p));
      });
      if (canaryMissed.length > 0)
        throw new MissingEvidence(
          'memory-scan',
          `the scans of the host's files did not find the canary the harness planted at ${[...new Set(canaryMissed)].join(', ')}, so finding no key there proves nothing`,
        );
      const diskMissed = canary.diskPaths.filter(
        (p) => !disks.found.includes(`${p} [${canary.label}]`),
      );
      if (diskMissed.length > 0)
        throw new MissingEvidence(
          'disk-scan',
          `the scan of the VM disks did not find the canary the harness planted at ${diskMissed.join(', ')}, so finding no key there proves nothing`,
        );
      const inFiles = [
        ...new Set(
          fileScans.flatMap((s) =>
            s.files.filter((f) => f.label !== canary.label).map((f) => `${f.path} [${f.label}]`),
          ),
        ),
      ];
      const found = [...inFiles, ...disks.found.filter((entry) => !canaryIn(entry))];
      const mounts = [
        ...new Set(fileScans.flatMap((s) => (s.filesystems ?? []).map((f) => f.mountPoint))),
      ];
      return verdictOf(
        found.length === 0,
        `no key in ${fileScans.length} scan(s) of the host's files (${fileScans.at(-1)?.filesScanned ?? 0} files, the harness's canary found in each) nor on its disks`,
        `key material found in ${found.join(', ')}`,
        {
          expected: `no file holding any key in any encoding, and the harness's canary found at ${canary.paths.join(', ')} by every file scan (${canary.diskPaths.join(', ')} on the disks)`,
          observed: found.join(', ') || 'none',
          evidence: [
            {
              source: 'scan-memory --files (/proc/1/root of the host)',
              excerpt: `${fileScans.length} scan(s), ${fileScans.at(-1)?.filesScanned ?? 0} files each; filesystems: ${mounts.join(' ')}`,
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

/** The sockets of a scan that belong to a service of the host (not to the machine, not a client). */
export function hostListeners(scan: MemoryScan, ports: readonly number[]): ListeningSocket[] {
  const [low, high] = scan.ephemeralPorts ?? [32768, 60999];
  return (scan.sockets ?? []).filter(
    (k) =>
      ports.includes(k.port) ||
      (k.processes.length > 0 && (k.proto === 'tcp' || k.port < low || k.port > high)),
  );
}

function describeSockets(sockets: readonly ListeningSocket[]): string {
  return (
    sockets
      .map(
        (k) =>
          `${k.proto} ${k.address}:${k.port} (${k.processes.map((p) => p.command.split(' ').slice(0, 3).join(' ')).join(', ') || 'the machine'})`,
      )
      .join('; ') || 'none'
  );
}

/**
 * Every sovereign service stops within the wipe bound of LB and stays stopped: the host's
 * network namespace, enumerated from outside on every scan, holds no listening TCP socket and no
 * bound UDP service socket of any process of the host (the machine's own, its TPM, remain).
 */
export function sovereignServicesStopped(name: string, bound: ContractBound): Check {
  return {
    name,
    description: `Within the wipe bound (contract: ${bound.contract} ms) of LB, every listening socket of the host's processes (TCP, UDP; every port, enumerated from the machine's network namespace outside the host) is closed, and none opens again until the power is gone`,
    verify(history) {
      const boundMs = boundValue(history, bound);
      const t = timeline(history);
      const crit = t.criticalStatus ?? 'LB';
      const ports = lastObservation(history, sovereignPorts).data.ports;
      const before = scans(history, 'before-outage').filter((s) => s.sockets != null);
      const listening = new Set(
        before.flatMap((s) =>
          (s.sockets ?? []).filter((k) => k.processes.length > 0).map((k) => k.port),
        ),
      );
      const unseen = ports.filter((p) => !listening.has(p));
      if (before.length === 0 || unseen.length > 0)
        throw new MissingEvidence(
          'memory-scan',
          `the sockets of the serving host did not show a listener of its own on ${unseen.join(', ') || 'any port'}, so a quiet namespace later proves nothing`,
        );
      const outage = scans(history, 'outage').filter((s) => s.sockets != null);
      if (outage.length === 0)
        throw new MissingEvidence('memory-scan', 'no socket enumeration through the outage');
      const ms = (at: number) => at - t.lowBatteryWallMs;
      const quiet = outage.find((s) => hostListeners(s, ports).length === 0);
      const last = outage.at(-1) as ScanObservation;
      const expected = `no listener of the host within ${boundMs} ms of ${crit}, none again until power-off`;
      const evidence = [
        {
          source: 'sockets of the machine namespace while serving (positive control)',
          excerpt: describeSockets(before.at(-1)?.sockets ?? []),
        },
        {
          source: `sockets ${ms(last.startedAtMs)} ms after ${crit} (last enumeration)`,
          excerpt: describeSockets(last.sockets ?? []),
        },
      ];
      if (quiet === undefined)
        return fail(
          `still listening ${ms(last.finishedAtMs)} ms after ${crit}: ${describeSockets(hostListeners(last, ports))}`,
          { expected, observed: `${outage.length} enumerations, none quiet`, evidence },
        );
      const reopened = outage.find(
        (s) => s.startedAtMs > quiet.startedAtMs && hostListeners(s, ports).length > 0,
      );
      if (reopened !== undefined)
        return fail(
          `listening again ${ms(reopened.startedAtMs)} ms after ${crit}: ${describeSockets(hostListeners(reopened, ports))}`,
          {
            expected,
            observed: `quiet by ${ms(processesReadBy(quiet))} ms, then open again`,
            evidence,
          },
        );
      const stoppedMs = ms(processesReadBy(quiet));
      return verdictOf(
        stoppedMs <= boundMs,
        `every service of the host stopped listening by ${stoppedMs} ms after ${crit} (ports ${ports.join(', ')} seen before)`,
        `the host's services stopped listening only ${stoppedMs} ms after ${crit}, beyond ${boundMs} ms`,
        {
          expected,
          observed: `quiet by ${stoppedMs} ms after ${crit} over ${outage.length} enumerations`,
          evidence,
        },
      );
    },
  };
}

/** The sovereign services stop after LB, seen from the zone before the machine loses power. */
export function servicesStoppedAfterLowBattery(name: string, bound: ContractBound): Check {
  return {
    name,
    description: `Within the wipe bound (contract: ${bound.contract} ms) of LB the store stops answering (probed from the zone), before the machine loses power`,
    verify(history) {
      const boundMs = boundValue(history, bound);
      const t = timeline(history);
      const crit = t.criticalStatus ?? 'LB';
      const probes = lastObservation<{ probes: AvailabilityProbe[] }>(history, 'store-availability')
        .data.probes;
      const powered = probes.filter(
        (p) => t.powerOffWallMs === undefined || p.finishedAtMs < t.powerOffWallMs,
      );
      const stopped = stoppedServingBy(powered, t.lossWallMs);
      const expected = `the store port refuses connections within ${boundMs} ms of ${crit}, while the machine still has power`;
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
        `the store stopped by ${afterMs} ms after ${crit}`,
        `the store stopped only ${afterMs} ms after ${crit}`,
        { expected, observed: `${afterMs} ms after ${crit}`, evidence },
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
      const crit = t.criticalStatus ?? 'LB';
      const lines = lastObservation<{ lines: LogLine[] }>(
        history,
        'residency-log',
      ).data.lines.filter((l) => l.atMs >= t.lossWallMs);
      const wiped = lines.find((l) => /KEYS_WIPED/.test(l.text));
      const complete = lines.find((l) => /RESIDENCY_SHUTDOWN_COMPLETE/.test(l.text));
      return verdictOf(
        wiped !== undefined && complete !== undefined,
        `the stack logged its shutdown ${(wiped?.atMs ?? 0) - t.lowBatteryWallMs} ms after ${crit}`,
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
  /** What the capture may have missed (TpmBusRecord.gaps); absent in older records. */
  gaps?: string[];
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
      const gaps = restore.gaps ?? [];
      if (unseal === undefined && gaps.length > 0)
        return {
          status: 'unknown',
          summary: `no TPM2_Unseal in the TPM bus capture, but the capture is not whole (${gaps.join('; ')}): the unseal may be among what it lost`,
          evidence,
        };
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

/**
 * No key material on the VM disks after the restore (a key cache would be), behind the harness's
 * canary on both disks: a scan that did not find it did not read there, and proves nothing.
 */
export function noKeyOnDiskAfterRestore(name: string): Check {
  return {
    name,
    description:
      "After power returns, the data key is on neither of the VM's disks in any encoding (no key cache); judged only when the same scan found the harness's canary on both disks",
    verify(history) {
      const disks = lastObservation<{ found: string[] }>(
        history,
        'disk-scan',
        (d) => (d as { phase?: string }).phase === 'after-restore',
      ).data;
      const canary = lastObservation(history, fileCanary).data;
      const canaryIn = (entry: string) => entry.endsWith(` [${canary.label}]`);
      const missed = canary.diskPaths.filter(
        (p) => !disks.found.includes(`${p} [${canary.label}]`),
      );
      if (missed.length > 0)
        throw new MissingEvidence(
          'disk-scan',
          `the scan of the VM disks after the restore did not find the canary the harness planted at ${missed.join(', ')}, so finding no key there proves nothing`,
        );
      const keys = disks.found.filter((entry) => !canaryIn(entry));
      return keys.length === 0
        ? pass(
            `no key on the VM disks after the restore (the harness's canary found at ${canary.diskPaths.join(', ')})`,
          )
        : fail(`key material on the VM disks: ${keys.join(', ')}`, {
            expected: 'none',
            observed: keys.join(', '),
          });
    },
  };
}
