import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { boundsInForce } from '../../harness/scenario/scenario-bounds.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import type { ListeningSocket } from '../../harness/checks/probes/memory-scan.ts';
import { keyWipeBound } from './power-bounds.ts';
import {
  keysGoneFromMemory,
  noKeyOnFilesystems,
  servicesStoppedAfterLowBattery,
  servesOnlyAfterUnsealAndUnwrap,
  sovereignServicesStopped,
  noKeyOnDiskAfterRestore,
} from './power-checks.ts';
import { fileCanary, knownKeys, sovereignPorts } from './power-observations.ts';
import { firstServedAt, stoppedServingBy } from './store-availability.ts';

const lb = 1_000_000;
const bound = keyWipeBound.contract;

const relay: ListeningSocket = {
  proto: 'tcp',
  family: 'ipv4',
  address: '0.0.0.0',
  port: 8444,
  processes: [{ pid: 7, command: 'python3 -m residency.main' }],
};
const store: ListeningSocket = { ...relay, port: 8443 };
const tpm: ListeningSocket = { ...relay, address: '127.0.0.1', port: 2321, processes: [] };
/** The harness's file canary, planted where the file scans and the disk scan must read. */
const canary = {
  host: 'vm1',
  label: 'file-canary',
  paths: ['/run/sovh-file-canary', '/data/sovh-file-canary'],
  diskPaths: ['/data/sovh-file-canary'],
};
const canaryOnDisks = canary.diskPaths.map((p) => `${p} [file-canary]`);
const snmpClient: ListeningSocket = { ...relay, proto: 'udp', port: 40_000 };

function scan(
  phase: string,
  startedAtMs: number,
  finishedAtMs: number,
  found: string[] | boolean,
  extra: {
    sockets?: ListeningSocket[];
    files?: { path: string; label: string }[];
    focus?: number[];
    focusAddresses?: string[];
    missesCanary?: boolean;
  } = {},
) {
  const labels = found === true ? ['data-key', 'zone-key/z1'] : found === false ? [] : found;
  return {
    phase,
    host: 'vm1',
    startedAtMs,
    finishedAtMs,
    processes: [
      {
        pid: 7,
        command: 'python3 -m residency.main',
        regions: 10,
        bytes: 1000,
        hits: labels.map((label) => ({ label, address: '0x1', region: '[heap]' })),
      },
    ],
    // A scan of the files finds the canary wherever it was planted (a test leaves it out on purpose).
    files:
      extra.files === undefined
        ? []
        : [
            ...(extra.missesCanary === true
              ? []
              : canary.paths.map((path) => ({ path, label: canary.label }))),
            ...extra.files,
          ],
    filesScanned: extra.files === undefined ? 0 : 100,
    filesystems: extra.files === undefined ? [] : [{ mountPoint: '/', type: 'overlay' }],
    sockets: extra.sockets ?? null,
    ephemeralPorts: [32768, 60999],
    errors: [],
    foundInMemory: labels,
    focus: extra.focus ?? null,
    focusAddresses: extra.focusAddresses ?? null,
  };
}

function outageHistory(scans: ReturnType<typeof scan>[]): History {
  const history = new History();
  history.record('observation', knownKeys.name, {
    host: 'vm1',
    keys: [
      { label: 'data-key', heldWhileServing: true },
      { label: 'zone-key/z1', heldWhileServing: true },
      { label: 'kek', heldWhileServing: false },
    ].map((k) => ({ ...k, bytes: 32, sha256: '00', source: 'test' })),
  });
  history.record('observation', sovereignPorts.name, { host: 'vm1', ports: [8443, 8444] });
  for (const s of scans) history.record('observation', 'memory-scan', s);
  history.record('observation', 'power-timeline', {
    lossWallMs: lb - 7_000,
    lowBatteryWallMs: lb,
    lowBatterySource: 'test',
    exhaustedWallMs: lb + 8_000,
  });
  history.record('observation', fileCanary.name, canary);
  history.record('observation', 'disk-scan', {
    phase: 'after-wipe',
    host: 'vm1',
    found: canaryOnDisks,
  });
  return history;
}

describe('keys-gone-from-memory', () => {
  const check = keysGoneFromMemory('keys-gone', keyWipeBound);
  const status = async (history: History) => (await checkStatuses([check], history))['keys-gone'];

  it('passes when a clean scan finishes within the bound and every later scan is clean', async () => {
    const verdict = await check.verify(
      outageHistory([
        scan('before-outage', lb - 20_000, lb - 19_000, true),
        scan('outage', lb + 100, lb + 300, true),
        scan('outage', lb + 400, lb + 1_500, false),
        scan('outage', lb + 1_600, lb + 1_900, false),
      ]),
    );
    expect(verdict.status).toBe('pass');
    expect(verdict.summary).toBe(
      'keys gone from memory by 1500 ms after LB (last seen 300 ms after LB), none back in 3 scans until 1900 ms after LB',
    );
  });

  it('fails while a scan still finds a key, and when the first clean scan comes too late', async () => {
    expect(
      await status(
        outageHistory([
          scan('before-outage', 0, 1, true),
          scan('outage', lb + 1_000, lb + bound + 5_000, ['zone-key/z1']),
        ]),
      ),
    ).toBe('fail');
    expect(
      await status(
        outageHistory([
          scan('before-outage', 0, 1, true),
          scan('outage', lb + bound - 100, lb + bound + 100, false),
        ]),
      ),
    ).toBe('fail');
  });

  it('times the wipe by a clean focused scan of the holders, and fails when a whole scan after it finds a key', async () => {
    const focused = (at: number, found: boolean) =>
      scan('outage', at, at + 100, found, { focus: [7] });
    const verdict = await check.verify(
      outageHistory([
        scan('before-outage', 0, 1, true),
        scan('outage', lb - 500, lb + 400, true),
        focused(lb + 500, true),
        focused(lb + 700, false),
        scan('outage', lb + 900, lb + 2_500, false),
      ]),
    );
    expect(verdict.status).toBe('pass');
    expect(verdict.summary).toContain('keys gone from memory by 800 ms after LB');
    expect(
      await status(
        outageHistory([
          scan('before-outage', 0, 1, true),
          scan('outage', lb - 500, lb + 400, true),
          focused(lb + 500, false),
          scan('outage', lb + 700, lb + 1_500, ['zone-key/z1']),
        ]),
      ),
    ).toBe('fail');
  });

  it('names the regions a focused scan read when a whole scan after it finds the key', async () => {
    const verdict = await check.verify(
      outageHistory([
        scan('before-outage', 0, 1, true),
        scan('outage', lb - 500, lb + 400, true),
        scan('outage', lb + 500, lb + 530, false, { focus: [7], focusAddresses: ['7@0x1'] }),
        scan('outage', lb + 600, lb + 1_400, ['zone-key/z1']),
      ]),
    );
    expect(verdict.status).toBe('fail');
    expect(verdict.summary).toContain(
      'after a scan of only the memory regions that had held a key (7@0x1) was clean at 530 ms',
    );
  });

  it('fails when a key comes back after a clean scan', async () => {
    const verdict = await check.verify(
      outageHistory([
        scan('before-outage', 0, 1, true),
        scan('outage', lb + 100, lb + 300, false),
        scan('outage', lb + 400, lb + 600, ['data-key']),
      ]),
    );
    expect(verdict.status).toBe('fail');
    expect(verdict.summary).toMatch(/data-key came back in memory 400 ms after LB/);
  });

  it('holds a stack to its own tighter bound', async () => {
    const history = outageHistory([
      scan('before-outage', 0, 1, true),
      scan('outage', lb + 100, lb + 900, false),
    ]);
    expect(await status(history)).toBe('pass');
    history.record('observation', boundsInForce.name, { [keyWipeBound.name]: 500 });
    expect(await status(history)).toBe('fail');
  });

  it('cannot decide when a key held while serving was not seen before the outage', async () => {
    expect(
      await status(
        outageHistory([
          scan('before-outage', 0, 1, ['data-key']),
          scan('outage', lb + 1_000, lb + 2_000, false),
        ]),
      ),
    ).toBe('unknown');
    expect(await status(outageHistory([scan('before-outage', 0, 1, true)]))).toBe('unknown');
  });
});

describe('no-key-on-filesystems', () => {
  const check = noKeyOnFilesystems('no-key-on-filesystems', keyWipeBound);
  const status = async (history: History) =>
    (await checkStatuses([check], history))['no-key-on-filesystems'];
  const before = scan('before-outage', 0, 1, true);

  it('passes when every file scan after the bound is clean', async () => {
    expect(
      await status(
        outageHistory([
          before,
          scan('outage', lb + bound + 10, lb + bound + 900, false, { files: [] }),
        ]),
      ),
    ).toBe('pass');
  });

  it('fails on a key in a file after the bound, or on the VM disks', async () => {
    expect(
      await status(
        outageHistory([
          before,
          scan('outage', lb + bound + 10, lb + bound + 900, false, {
            files: [{ path: '/run/residency/keys/zone.key', label: 'zone-key/z1' }],
          }),
        ]),
      ),
    ).toBe('fail');
    const onDisk = outageHistory([
      before,
      scan('outage', lb + bound + 10, lb + bound + 900, false, { files: [] }),
    ]);
    onDisk.record('observation', 'disk-scan', {
      phase: 'after-wipe',
      host: 'vm1',
      found: [...canaryOnDisks, '/var/lib/residency/keys/cache [data-key]'],
    });
    expect(await status(onDisk)).toBe('fail');
  });

  it('cannot decide when a file scan or the disk scan missed the harness canary', async () => {
    const fileScan = (missesCanary: boolean) =>
      scan('outage', lb + bound + 10, lb + bound + 900, false, { files: [], missesCanary });
    expect(await status(outageHistory([before, fileScan(false), fileScan(true)]))).toBe('unknown');
    const disksUnread = outageHistory([before, fileScan(false)]);
    disksUnread.record('observation', 'disk-scan', { phase: 'after-wipe', host: 'vm1', found: [] });
    expect(await status(disksUnread)).toBe('unknown');
  });

  it('cannot decide without a file scan after the bound', async () => {
    expect(
      await status(
        outageHistory([before, scan('outage', lb + 100, lb + 900, false, { files: [] })]),
      ),
    ).toBe('unknown');
  });
});

describe('sovereign-services-stopped', () => {
  const check = sovereignServicesStopped('stopped', keyWipeBound);
  const status = async (history: History) => (await checkStatuses([check], history)).stopped;
  const before = scan('before-outage', 0, 1, true, { sockets: [store, relay, tpm] });

  it('passes when only the machine and clients keep sockets after LB', async () => {
    expect(
      await status(
        outageHistory([
          before,
          scan('outage', lb + 100, lb + 300, false, { sockets: [store, relay, tpm] }),
          scan('outage', lb + 400, lb + 600, false, { sockets: [tpm, snmpClient] }),
          scan('outage', lb + 700, lb + 900, false, { sockets: [tpm] }),
        ]),
      ),
    ).toBe('pass');
  });

  it('fails when a service keeps listening, listens again, or stops too late', async () => {
    expect(
      await status(
        outageHistory([
          before,
          scan('outage', lb + 400, lb + 600, false, { sockets: [relay, tpm] }),
        ]),
      ),
    ).toBe('fail');
    expect(
      await status(
        outageHistory([
          before,
          scan('outage', lb + 400, lb + 600, false, { sockets: [tpm] }),
          scan('outage', lb + 700, lb + 900, false, { sockets: [{ ...relay, port: 9999 }] }),
        ]),
      ),
    ).toBe('fail');
    expect(
      await status(
        outageHistory([
          before,
          scan('outage', lb + bound, lb + bound + 100, false, { sockets: [tpm] }),
        ]),
      ),
    ).toBe('fail');
  });

  it('cannot decide when the serving host showed no listener on a sovereign port', async () => {
    expect(
      await status(
        outageHistory([
          scan('before-outage', 0, 1, true, { sockets: [store, tpm] }),
          scan('outage', lb + 400, lb + 600, false, { sockets: [tpm] }),
        ]),
      ),
    ).toBe('unknown');
    expect(await status(outageHistory([before]))).toBe('unknown');
  });
});

describe('store availability', () => {
  const probe = (startedAtMs: number, connected: boolean) => ({
    startedAtMs,
    finishedAtMs: startedAtMs + 10,
    connected,
    detail: '',
  });

  it('finds when the store stopped for good and when it first served', () => {
    const probes = [
      probe(100, true),
      probe(200, false),
      probe(300, true),
      probe(400, false),
      probe(500, false),
    ];
    expect(stoppedServingBy(probes, 0)).toEqual({ byMs: 410, lastServedAtMs: 310 });
    expect(stoppedServingBy([...probes, probe(600, true)], 0)).toBeUndefined();
    expect(firstServedAt(probes, 250)).toBe(310);
  });

  it('does not count the machine losing power as the services stopping', async () => {
    const history = new History();
    history.record('observation', 'power-timeline', {
      lossWallMs: lb - 7_000,
      lowBatteryWallMs: lb,
      lowBatterySource: 'test',
      exhaustedWallMs: lb + 8_000,
      powerOffWallMs: lb + 9_000,
    });
    history.record('observation', 'store-availability', {
      probes: [probe(lb - 1_000, true), probe(lb + 5_000, true), probe(lb + 9_500, false)],
    });
    expect(
      (await servicesStoppedAfterLowBattery('stopped', keyWipeBound).verify(history)).status,
    ).toBe('fail');
  });
});

describe('serves-only-after-unseal-and-unwrap', () => {
  const check = servesOnlyAfterUnsealAndUnwrap('restore');
  const restoreHistory = (
    commands: { atMs: number; name: string }[],
    calls: { atMs: number; call: string }[],
    hsm: string | undefined,
    gaps: string[] = [],
  ) => {
    const history = new History();
    history.record('observation', 'store-availability', {
      probes: [{ startedAtMs: 5_000, finishedAtMs: 5_010, connected: true, detail: '' }],
    });
    history.record('observation', 'tpm-bus', {
      powerOnWallMs: 1_000,
      commands: commands.map((c) => ({ ...c, code: 0 })),
      gaps,
    });
    history.record('observation', 'hsm-calls', { hsm, calls });
    return history;
  };

  it('passes when the TPM unseal and the HSM unwrap come before the store answers', async () => {
    expect(
      (
        await check.verify(
          restoreHistory(
            [{ atMs: 2_000, name: 'Unseal' }],
            [{ atMs: 3_000, call: 'C_Decrypt' }],
            'hsm',
          ),
        )
      ).status,
    ).toBe('pass');
  });

  it('fails without an unseal, or without an unwrap when an HSM serves the host', async () => {
    expect(
      (await check.verify(restoreHistory([], [{ atMs: 3_000, call: 'C_Decrypt' }], 'hsm'))).status,
    ).toBe('fail');
    expect(
      (await check.verify(restoreHistory([{ atMs: 2_000, name: 'Unseal' }], [], 'hsm'))).status,
    ).toBe('fail');
    expect(
      (await check.verify(restoreHistory([{ atMs: 2_000, name: 'Unseal' }], [], undefined))).status,
    ).toBe('pass');
  });

  it('is unknown, not failed, when no unseal is seen in a capture that lost packets', async () => {
    const verdict = await check.verify(
      restoreHistory([], [{ atMs: 3_000, call: 'C_Decrypt' }], 'hsm', [
        'tcpdump: 3 packets dropped by kernel',
      ]),
    );
    expect(verdict.status).toBe('unknown');
    expect(verdict.summary).toContain('3 packets dropped by kernel');
  });

  it('judges a lossy capture that shows the unseal, as a whole one', async () => {
    const late = restoreHistory(
      [{ atMs: 6_000, name: 'Unseal' }],
      [{ atMs: 3_000, call: 'C_Decrypt' }],
      'hsm',
      ['connection from port 40000: 14 bytes missing at byte 14'],
    );
    expect((await check.verify(late)).status).toBe('fail');
  });
});

describe('no-key-on-disk-after-restore', () => {
  const check = noKeyOnDiskAfterRestore('no-key-on-disk-after-restore');
  function afterRestore(found: string[]): History {
    const history = new History();
    history.record('observation', fileCanary.name, canary);
    history.record('observation', 'disk-scan', { phase: 'after-restore', host: 'vm1', found });
    return history;
  }
  const status = async (h: History) =>
    (await checkStatuses([check], h))['no-key-on-disk-after-restore'];

  it('passes a scan that found the canary on the disks and no key', async () => {
    expect(await status(afterRestore(canaryOnDisks))).toBe('pass');
  });

  it('fails a key on a disk, and is unknown when the scan missed the canary', async () => {
    expect(await status(afterRestore([...canaryOnDisks, '/data/cache [data-key]']))).toBe('fail');
    expect(await status(afterRestore([]))).toBe('unknown');
  });
});
