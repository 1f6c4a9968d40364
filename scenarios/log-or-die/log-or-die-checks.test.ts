import { describe, expect, it } from 'vitest';
import { runChecks } from '../../harness/checks/check.ts';
import type { CapabilityReport } from '../../harness/runtime/capabilities.ts';
import { History } from '../../harness/scenario/history.ts';
import type { AuditEvent } from '../../sims/audit/audit-records.ts';
import { boundsInForce } from '../../harness/scenario/scenario-bounds.ts';
import { haltBound, logOrDieChecks } from './log-or-die-checks.ts';
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

/** The history a correct stack leaves; `change` breaks one piece of evidence at a time. */
function history(
  change: { writes?: PostFillWrite[]; haltedAtMs?: number; lateFile?: boolean } = {},
): History {
  const h = new History();
  const writes = change.writes ?? [
    { objectId: 'after-1', atMs: filledAtMs + 120, status: 503, detail: 'PUT 503' },
  ];
  h.record('observation', observed.postFillWrites.name, { filledAtMs, writes });
  h.record('observation', observed.halt.name, {
    host: 'vm1',
    haltedAtMs: change.haltedAtMs ?? filledAtMs + 400,
    reopened: 0,
    filledAtMs,
  });
  h.record('observation', observed.storeState.name, {
    host: 'vm1',
    filledAtMs,
    files: [
      { path: '/data/sovereign_storage/before-1.obj', modifiedMs: filledAtMs - 2_000 },
      ...(change.lateFile === true
        ? [{ path: '/data/sovereign_storage/after-1.obj', modifiedMs: filledAtMs + 120 }]
        : []),
    ],
    hostLogEvents: [auditedWrite('before-1', (filledAtMs - 2_000) / 1000)],
    journalEvents: [],
    logOrDieLines: ['... AUDIT_LOG_UNWRITABLE: the audit disk has 0 bytes free'],
  });
  return h;
}

async function verdicts(h: History): Promise<Record<string, string>> {
  const results = await runChecks(logOrDieChecks, h, capabilities);
  return Object.fromEntries(results.map((r) => [r.name, r.status]));
}

describe('log-or-die checks', () => {
  it('pass on the evidence of a stack that halts at the fill', async () => {
    expect(await verdicts(history())).toEqual({
      'write-refused-after-audit-full': 'pass',
      'services-halted': 'pass',
      'no-unaudited-write': 'pass',
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
    expect(Object.values(v)).toEqual(['unknown', 'unknown', 'unknown', 'unknown']);
  });
});
