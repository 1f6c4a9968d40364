import { describe, expect, it } from 'vitest';
import { runChecks } from '../../harness/checks/check.ts';
import type { CapabilityReport } from '../../harness/runtime/capabilities.ts';
import { History } from '../../harness/scenario/history.ts';
import type { AuditEvent } from '../../sims/audit/audit-records.ts';
import { boundsInForce } from '../../harness/scenario/scenario-bounds.ts';
import { auditRoomBytes, haltBound, logOrDieChecks } from './log-or-die-checks.ts';
import { observed, type PostFillWrite } from './log-or-die-evidence.ts';

const capabilities = { entries: [] } as unknown as CapabilityReport;
const filledAtMs = 1_000_000;

function auditedWrite(objectId: string, atS: number): AuditEvent {
  return {
    time: atS,
    key: 'residency_audit',
    success: 'yes',
    comm: 'python3',
    paths: [{ name: `/data/sovereign_storage/${objectId}.obj` }],
  } as unknown as AuditEvent;
}

interface Change {
  writes?: PostFillWrite[];
  haltedAtMs?: number;
  quietHaltedAtMs?: number | undefined;
  lateFile?: boolean;
  freeBytesAfter?: number;
  trailOnAuditDisk?: boolean;
  quietSilent?: boolean;
}

/** The history a correct stack leaves on two hosts; `change` breaks one piece of evidence. */
function history(change: Change = {}): History {
  const h = new History();
  for (const host of ['vm1', 'vm2']) {
    h.record('observation', observed.auditDiskFilled.name, {
      host,
      filledAtMs,
      bytesWritten: 1_000_000,
      freeBytesAfter: change.freeBytesAfter ?? 12_288,
      thresholdBytes: auditRoomBytes,
    });
  }
  h.record('observation', observed.halt.name, {
    host: 'vm2',
    writesDuringWatch: false,
    haltedAtMs: 'quietHaltedAtMs' in change ? change.quietHaltedAtMs : filledAtMs + 500,
    reopened: 0,
    filledAtMs,
  });
  const writes = change.writes ?? [
    { objectId: 'after-1', atMs: filledAtMs + 120, status: 503, detail: 'PUT 503' },
  ];
  h.record('observation', observed.postFillWrites.name, { host: 'vm1', filledAtMs, writes });
  h.record('observation', observed.halt.name, {
    host: 'vm1',
    writesDuringWatch: true,
    haltedAtMs: change.haltedAtMs ?? filledAtMs + 400,
    reopened: 0,
    filledAtMs,
  });
  for (const host of ['vm1', 'vm2']) {
    const before = `before-${host}-1`;
    h.record('observation', observed.storeState.name, {
      host,
      filledAtMs,
      files: [
        { path: `/data/sovereign_storage/${before}.obj`, modifiedMs: filledAtMs - 2_000 },
        ...(change.lateFile === true && host === 'vm1'
          ? [{ path: '/data/sovereign_storage/after-1.obj', modifiedMs: filledAtMs + 120 }]
          : []),
      ],
      hostLogEvents: [auditedWrite(before, (filledAtMs - 2_000) / 1000)],
      journalEvents: [],
      logOrDieLines:
        change.quietSilent === true && host === 'vm2'
          ? []
          : ['... AUDIT_LOG_UNWRITABLE: the audit disk has 12288 bytes free'],
      auditDiskTrail:
        change.trailOnAuditDisk === false
          ? ''
          : `2026-12-06T01:00:00 residency_audit pid=7 store-write object=${before} bytes=16\n`,
    });
  }
  return h;
}

async function verdicts(h: History): Promise<Record<string, string>> {
  const results = await runChecks(logOrDieChecks, h, capabilities);
  return Object.fromEntries(results.map((r) => [r.name, r.status]));
}

describe('log-or-die checks', () => {
  it('pass on the evidence of a stack that halts at the fill, written to or not', async () => {
    expect(await verdicts(history())).toEqual({
      'write-refused-after-audit-full': 'pass',
      'services-halted': 'pass',
      'halts-with-no-write': 'pass',
      'no-unaudited-write': 'pass',
      'writes-recorded-on-audit-disk': 'pass',
      'log-or-die-logged': 'pass',
    });
  });

  it('fail a write accepted after the fill, and the object it left unaudited', async () => {
    const accepted = { objectId: 'after-1', atMs: filledAtMs + 120, status: 201, detail: '201' };
    const v = await verdicts(history({ writes: [accepted], lateFile: true }));
    expect(v['write-refused-after-audit-full']).toBe('fail');
    expect(v['no-unaudited-write']).toBe('fail');
  });

  it('fail a halt later than the bound', async () => {
    const v = await verdicts(history({ haltedAtMs: filledAtMs + 60_000 }));
    expect(v['services-halted']).toBe('fail');
    expect(v['halts-with-no-write']).toBe('pass');
  });

  it('fail a store that halts only when written to', async () => {
    const v = await verdicts(history({ quietHaltedAtMs: undefined, quietSilent: true }));
    expect(v['halts-with-no-write']).toBe('fail');
    expect(v['log-or-die-logged']).toBe('fail');
    expect(v['services-halted']).toBe('pass');
  });

  it('fail stored objects whose records are not on the audit disk', async () => {
    const v = await verdicts(history({ trailOnAuditDisk: false }));
    expect(v['writes-recorded-on-audit-disk']).toBe('fail');
    expect(v['no-unaudited-write']).toBe('pass');
  });

  it('judge a halt only when the fill left less than the contract level free', async () => {
    const v = await verdicts(history({ freeBytesAfter: auditRoomBytes }));
    expect(v['write-refused-after-audit-full']).toBe('unknown');
    expect(v['services-halted']).toBe('unknown');
    expect(v['halts-with-no-write']).toBe('unknown');
  });

  it('hold a stack to its own tighter halt bound, recorded in the history', async () => {
    const h = history({ haltedAtMs: filledAtMs + 4_000 });
    expect((await verdicts(h))['services-halted']).toBe('pass');
    const tighter = history({ haltedAtMs: filledAtMs + 4_000 });
    tighter.record('observation', boundsInForce.name, { [haltBound.name]: 2_000 });
    expect((await verdicts(tighter))['services-halted']).toBe('fail');
  });

  it('say unknown, never pass, when the run stopped before the evidence', async () => {
    const v = await verdicts(new History());
    expect(Object.values(v)).toEqual(Array.from({ length: 6 }, () => 'unknown'));
  });
});
