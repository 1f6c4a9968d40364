import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { gateSessionsLoggedCheck } from './gate-log.ts';

const gate = '10.40.0.5';
const foreignAddress = '10.80.0.200';
const sessions = [
  { zone: 'sovereign', clientAddress: '10.40.0.2', calledAddress: gate, ok: true },
  { zone: 'foreign', clientAddress: '10.80.0.2', calledAddress: gate, ok: false },
  { zone: 'sovereign', clientAddress: '10.40.0.2', calledAddress: foreignAddress, ok: false },
];
const line = (client: string, called: string, verdict: string) =>
  `gate client=${client}:40000 dst=${called}:8443 src_geo=DE dst_geo=DE verdict=${verdict} backend=b/s state=-- bytes=10`;
const good = [
  line('10.40.0.2', gate, 'ADMITTED'),
  line('10.80.0.2', gate, 'GEOGRAPHIC_FENCE_ERROR'),
  line('10.40.0.2', foreignAddress, 'GEOGRAPHIC_FENCE_ERROR'),
];

async function statusOf(lines: string[], present = true): Promise<string | undefined> {
  const h = new History();
  for (const s of sessions)
    h.record('observation', 'gate-session', {
      ...s,
      destination: s.calledAddress === gate ? 'host' : 'foreign',
      reached: { connected: true },
      detail: '',
      command: '',
    });
  h.record('observation', 'gate-log', { present, lines });
  return (await checkStatuses([gateSessionsLoggedCheck], h))[gateSessionsLoggedCheck.name];
}

describe('gate-sessions-logged', () => {
  it('passes on a line per session with the three fields', async () => {
    expect(await statusOf(good)).toBe('pass');
  });

  it('fails when the log is missing or empty', async () => {
    expect(await statusOf([], false)).toBe('fail');
    expect(await statusOf([])).toBe('fail');
  });

  it('fails a session without its line (the refused call to a foreign address)', async () => {
    expect(await statusOf(good.slice(0, 2))).toBe('fail');
  });

  it('fails lines without the contract fields', async () => {
    expect(await statusOf(good.map((l) => l.replace(/ src_geo=\S+/, '')))).toBe('fail');
  });

  it('fails a refused session logged with the admitted verdict', async () => {
    expect(
      await statusOf([good[0] ?? '', line('10.80.0.2', gate, 'ADMITTED'), good[2] ?? '']),
    ).toBe('fail');
  });
});
