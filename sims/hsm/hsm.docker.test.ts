import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hsmCalls } from '../../harness/checks/probes/hsm-calls.ts';
import { RunSession } from '../../harness/runtime/run-session.ts';
import { prepareEnvironment, type RunEnvironment } from '../../harness/scenario/environment.ts';
import { consoleLogger } from '../../harness/util/log.ts';
import { hsmKind, hsmOptions, StartedHsm } from './hsm.ts';

describe('the hsm simulator (SoftHSM2 behind p11-kit RPC)', () => {
  let environment: RunEnvironment;
  let session: RunSession;
  let hsm: StartedHsm;

  beforeAll(async () => {
    environment = await prepareEnvironment({ log: consoleLogger() });
    const image = await environment.images.ensure(hsmKind.image);
    session = await RunSession.open({
      docker: environment.engine.docker,
      namespace: environment.namespace,
      log: environment.log,
      scenario: 'hsm-sim-test',
    });
    const started = await hsmKind.start({
      session,
      image: image.tag,
      service: {
        name: 'hsm-t',
        kind: 'hsm',
        zone: 'sovereign',
        cell: 'cell-t',
        legs: [],
        options: hsmOptions.parse({}),
      },
      network: { name: 'unused', address: '' },
    });
    if (!(started instanceof StartedHsm)) throw new Error('the kind did not start a StartedHsm');
    hsm = started;
  });

  afterAll(async () => {
    await session.teardown();
  });

  it('holds a wrapping key that is sensitive and cannot be read or wrapped out', async () => {
    const inspection = await hsm.inspect();
    expect(inspection.found).toBe(1);
    expect(inspection.attributes).toMatchObject({
      extractable: false,
      neverExtractable: true,
      sensitive: true,
      onToken: true,
    });
    expect(inspection.valueRead).toBe(false);
    expect(inspection.wrapOut).toBe(false);
    expect(inspection.wrapOutResult).toMatch(/CKR_KEY_UNEXTRACTABLE/);
  });

  it('unwraps through the RPC socket from another container, and not while the cable is cut', async () => {
    expect((await hsm.benchUnwrap(3)).length).toBe(3);
    await hsm.cutCable();
    await expect(hsm.benchUnwrap(1)).rejects.toThrow();
    await hsm.reconnectCable();
    expect((await hsm.benchUnwrap(1)).length).toBe(1);
    expect((await hsm.inspect()).found).toBe(1);
  });

  it('logs each call of concurrent client links whole, each credited to its own server process', async () => {
    const since = Date.now();
    await Promise.all([hsm.benchUnwrap(40), hsm.benchUnwrap(40), hsm.benchUnwrap(40)]);
    const logs = await hsm.container.logs(200_000);
    const torn = logs
      .split('\n')
      .filter((line) => (line.match(/\(p11-kit:\d+\)/g) ?? []).length > 1);
    expect(torn.slice(0, 3), `${torn.length} torn RPC log line(s)`).toEqual([]);
    const calls = (await hsmCalls(hsm)).filter((c) => c.atMs >= since - 1000);
    expect(calls.length).toBeGreaterThan(3 * 40);
    expect(calls.filter((c) => c.process === undefined).length).toBe(0);
    expect(new Set(calls.map((c) => c.process)).size).toBeGreaterThanOrEqual(3);
  });

  it('attaches its socket and PIN only to hosts of its cells', () => {
    const host = { name: 'h', zone: 'sovereign', machine: 'm', cell: 'cell-t' };
    expect(hsm.hostAttachments(host).volumes?.[0]).toMatchObject({
      target: '/run/hsm',
      readOnly: true,
    });
    expect(hsm.hostAttachments({ ...host, cell: 'other' })).toEqual({});
    expect(hsm.siteSection({ ...host, cell: 'other' })).toEqual({});
  });
});
