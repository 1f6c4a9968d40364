import { describe, expect, it } from 'vitest';
import { lastObservation } from '../checks/check.ts';
import { silentLogger } from '../util/log.ts';
import type { World } from '../world/world.ts';
import { attachmentBytes } from './attachment.ts';
import { History } from './history.ts';
import { ScenarioContext } from './scenario-context.ts';

describe('samples in the history', () => {
  it('records a numeric sample with its unit, band and critical line as a sample event', () => {
    const history = new History();
    history.sample('inlet-temp bmc1', 23.5, {
      unit: 'C',
      chart: 'inlet temperatures',
      band: { low: 18, high: 27 },
      critical: 35,
    });
    const [event] = history.events;
    expect(event?.kind).toBe('sample');
    expect(event?.name).toBe('inlet-temp bmc1');
    expect(event?.data).toEqual({
      series: 'inlet-temp bmc1',
      value: 23.5,
      unit: 'C',
      chart: 'inlet temperatures',
      band: { low: 18, high: 27 },
      critical: 35,
    });
  });

  it('records a state sample and charts it under its series name by default', () => {
    const history = new History();
    history.sample('ups1 status', 'OB LB');
    expect(history.samples('ups1 status').map((e) => e.data)).toEqual([
      { series: 'ups1 status', value: 'OB LB', chart: 'ups1 status' },
    ]);
  });

  it('places a sample measured earlier at its own time', () => {
    const history = new History();
    const earlier = new Date(Date.now() - 5_000);
    history.sample('rtt', 40, { unit: 'ms', at: earlier });
    expect(history.events[0]?.at).toBe(earlier.toISOString());
    expect(history.events[0]?.atMs).toBeLessThan(-4_000);
  });

  it('rejects a sample a plot could not draw, naming the fix', () => {
    const history = new History();
    expect(() => history.sample('t', Number.NaN)).toThrow(/finite number/);
    expect(() => history.sample('', 1)).toThrow(/series name/);
    expect(() => history.sample('t', 20, { band: { low: 27, high: 18 } })).toThrow(
      /band.low \(27\) is above band.high \(18\)/,
    );
    expect(history.events).toEqual([]);
  });

  it('counts the samples a checker reads as its evidence', () => {
    const history = new History();
    history.sample('charge', 80, { unit: '%' });
    history.sample('other', 1);
    history.startReadTracking();
    history.samples('charge');
    expect(history.stopReadTracking().map((e) => e.name)).toEqual(['charge']);
  });
});

describe('attachments in the history', () => {
  it('keeps text as text with its size and SHA-256, and records when it was attached', () => {
    const history = new History();
    const attachment = history.attach('audit.txt', 'line one\n', 'text/plain', 'the audit log');
    expect(attachment).toMatchObject({
      name: 'audit.txt',
      mediaType: 'text/plain',
      description: 'the audit log',
      sizeBytes: 9,
      encoding: 'utf8',
      content: 'line one\n',
      // `printf 'line one\n' | sha256sum`
      sha256: '31f21b1dae81d3f32f40e38134bc688e6f7df4f08dde1d7d2cda3c4b59104e1c',
    });
    expect(history.events.at(-1)).toMatchObject({
      kind: 'attachment',
      name: 'audit.txt',
      data: { mediaType: 'text/plain', sizeBytes: 9, sha256: attachment.sha256 },
    });
    expect(history.attachments).toEqual([attachment]);
  });

  it('keeps binary content as base64 and gives back the same bytes', () => {
    const history = new History();
    const bytes = Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 0x00, 0xff]);
    const attachment = history.attach('probe.pcap', bytes, 'application/vnd.tcpdump.pcap');
    expect(attachment.encoding).toBe('base64');
    expect(attachmentBytes(attachment).equals(bytes)).toBe(true);
  });

  it('rejects a second attachment of the same name and a name that is not a plain file name', () => {
    const history = new History();
    history.attach('quote.bin', Buffer.from('x'), 'application/octet-stream');
    expect(() => history.attach('quote.bin', 'y', 'text/plain')).toThrow(/already kept/);
    expect(() => history.attach('../etc/passwd', 'y', 'text/plain')).toThrow(/plain file name/);
    expect(() => history.attach('a.txt', 'y', 'plain')).toThrow(/not a media type/);
  });
});

describe('evidence moments', () => {
  it('counts as evidence only the observation a check picked, not those it filtered out', () => {
    const history = new History();
    history.record('observation', 'probe', { phase: 'home' });
    history.record('observation', 'probe', { phase: 'migrated' });
    history.startReadTracking();
    lastObservation<{ phase: string }>(history, 'probe', (d) => d.phase === 'home');
    expect(history.stopReadTracking().map((e) => (e.data as { phase: string }).phase)).toEqual([
      'home',
    ]);
  });
});

describe('the scenario context', () => {
  it('records samples and attachments in its history', () => {
    const history = new History();
    // sample and attach touch only the history: no world is needed to exercise them.
    const context = new ScenarioContext(null as unknown as World, history, silentLogger, {
      probedAt: '',
      engine: { address: '', flavour: '', version: '', apiVersion: '', kernel: '' },
      entries: [],
    });
    context.sample('ups1 charge', 42, { unit: '%', critical: 20 });
    const kept = context.attach('ups1-events.txt', 'OB\nOB LB\n', 'text/plain', {
      description: 'upsc ups1 status changes',
    });
    expect(history.events.map((e) => e.kind)).toEqual(['sample', 'attachment']);
    expect(history.attachments).toEqual([kept]);
    expect(kept.description).toBe('upsc ups1 status changes');
  });
});
