import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Docker from 'dockerode';
import type { EngineEndpoint } from '../engine/engine-locator.ts';
import { ImageBuilder } from '../engine/image-builder.ts';
import { demuxLogBuffer } from '../runtime/started-container.ts';
import { silentLogger } from '../util/log.ts';
import { observerImage } from '../../sims/observer/observer.ts';
import { sliceMs } from '../../scenarios/thermal-watch-at-rest/at-rest-checks.ts';
import {
  parseBmcTraffic,
  type BmcTraffic,
} from '../../scenarios/thermal-watch-at-rest/at-rest-evidence.ts';
import { namespacedEngine, nothingLeft, resourcesIn } from '../testing/docker-test-kit.ts';
import { runCli } from '../testing/run-cli.ts';
import {
  execIn,
  labLabel,
  removeStandInLab,
  startStandInLab,
  standInLabProfile,
  type StandInLab,
} from '../testing/stand-in-lab.ts';

/** The watch's poll interval the BMC's profile gives (the topology's own is 500 ms). */
const labPollIntervalMs = 1_000;

interface Results {
  scenarios: {
    scenario: string;
    status: string;
    reason?: string;
    checks: { name: string; status: string; summary: string }[];
    history: { kind: string; name: string; data?: Record<string, unknown> }[];
    world?: {
      profile?: string;
      nodes?: { name: string; role: string }[];
      devices?: { node: string; device: string; real: boolean; detail: string }[];
    };
  }[];
}

describe('real devices through a device profile', () => {
  const { engine: engineNow, namespace } = namespacedEngine();
  let engine: EngineEndpoint;
  let lab: StandInLab | undefined;

  beforeAll(async () => {
    engine = engineNow();
    lab = await startStandInLab(engine.docker);
  }, 300_000);

  afterAll(async () => {
    await removeStandInLab(lab);
    // Nothing of the lab is left in the engine either.
    const left = await engine.docker.listContainers({ all: true, filters: { label: [labLabel] } });
    expect(left).toEqual([]);
  });

  it('boot-binding uses the lab TPM and is not applicable where it needs a power cycle; a power scenario is not applicable without the UPS simulator', async () => {
    if (lab === undefined) throw new Error('no lab');
    const dir = await mkdtemp(join(tmpdir(), 'sovh-lab-'));
    const profile = join(dir, 'lab.yaml');
    await writeFile(profile, standInLabProfile(lab, 'home'));
    const env = { SOVH_NAMESPACE: namespace('lab'), LAB_UPS_PASSWORD: lab.upsPassword };
    const reportDir = join(dir, 'report');
    const run = await runCli(
      [
        'run',
        'boot-binding',
        'power-failure-key-wipe',
        '--profile',
        profile,
        '--report-dir',
        reportDir,
      ],
      env,
    );
    // Not applicable fails nothing without --strict; with it, the run would fail.
    expect(run.exitCode, run.all).toBe(0);
    const results = JSON.parse(await readFile(join(reportDir, 'results.json'), 'utf8')) as Results;
    const boot = results.scenarios.find((s) => s.scenario === 'boot-binding');
    const power = results.scenarios.find((s) => s.scenario === 'power-failure-key-wipe');

    expect(boot?.status).toBe('not-applicable');
    expect(boot?.reason).toBe(
      `needs a simulated TPM: machine home's TPM is real (swtpm:host=${lab.tpm},port=2321) and the harness cannot power-cycle it`,
    );
    expect(
      boot?.checks.every(
        (c) => c.status === 'not-applicable' && c.summary.includes('needs a simulated TPM'),
      ),
    ).toBe(true);
    expect(boot?.world?.profile).toBe(profile);
    expect(boot?.world?.devices).toEqual(
      expect.arrayContaining([
        {
          node: 'home',
          device: 'tpm',
          real: true,
          detail: `real TPM at swtpm:host=${lab.tpm},port=2321`,
        },
        { node: 'elsewhere', device: 'tpm', real: false, detail: 'swtpm' },
      ]),
    );
    // Before the power cycle, the stack sealed its KEK in the lab's TPM: the harness read the
    // primary key there, and so does this test, straight from the lab's swtpm.
    const primary = boot?.history.find((e) => e.name === 'tpm-primary-key');
    expect(primary?.data).toMatchObject({ fromTpm: { present: true } });
    const inLab = await execIn(lab.tpmContainer, ['tpm2_readpublic', '-c', '0x81000001']);
    const name = (primary?.data as { fromTpm?: { qualifiedName?: string } } | undefined)?.fromTpm
      ?.qualifiedName;
    expect(name).toMatch(/^[0-9a-f]+$/);
    expect(inLab).toContain(`qualified name: ${name ?? ''}`);

    expect(power?.status).toBe('not-applicable');
    expect(power?.reason).toBe(
      `needs a simulated UPS: ups1 is real (labups@${lab.ups}:3493) and the harness cannot fail its mains or drive its battery`,
    );
    expect(power?.world?.devices).toEqual(
      expect.arrayContaining([
        { node: 'ups1', device: 'ups', real: true, detail: `real UPS labups@${lab.ups}:3493` },
      ]),
    );
    expect(await resourcesIn(engine, env.SOVH_NAMESPACE)).toEqual(nothingLeft);
  }, 600_000);

  it("thermal-watch-at-rest reads the lab's BMC: the host's reads reach it (captured at the BMC) and every check passes", async () => {
    if (lab === undefined) throw new Error('no lab');
    const dir = await mkdtemp(join(tmpdir(), 'sovh-lab-'));
    const profile = join(dir, 'lab.yaml');
    await writeFile(
      profile,
      [
        `labNetwork: ${lab.networkName}`,
        'machines:',
        // A slower poll than the topology's 500 ms, as a BMC with slow reads needs: the site
        // file carries it, and bmc-read-at-site-interval judges the watch against it.
        `  rack1: { bmc: { ipmi: "${lab.bmc}", user: ${lab.bmcUser}, passwordEnv: LAB_BMC_PASSWORD, pollIntervalMs: ${labPollIntervalMs} } }`,
        '',
      ].join('\n'),
    );
    const env = { SOVH_NAMESPACE: namespace('labbmc'), LAB_BMC_PASSWORD: lab.bmcPassword };
    const reportDir = join(dir, 'report');
    // The lab BMC's own view: tcpdump in its network namespace, for the whole run.
    const capture = await captureAtBmc(engine.docker, lab);
    let atBmc: string;
    let run: Awaited<ReturnType<typeof runCli>>;
    try {
      run = await runCli(
        ['run', 'thermal-watch-at-rest', '--profile', profile, '--report-dir', reportDir],
        env,
      );
    } finally {
      atBmc = await stopCapture(capture);
    }
    expect(run.exitCode, run.all).toBe(0);
    const results = JSON.parse(await readFile(join(reportDir, 'results.json'), 'utf8')) as Results;
    const atRest = results.scenarios.find((s) => s.scenario === 'thermal-watch-at-rest');
    expect(atRest?.status, JSON.stringify(atRest?.checks)).toBe('passed');
    expect(atRest?.checks.map((c) => [c.name, c.status])).toEqual([
      ['host-reads-bmc', 'pass'],
      ['bmc-read-at-site-interval', 'pass'],
      ['bmc-read-over-site-protocol', 'pass'],
      ['watch-reads-succeed', 'pass'],
      ['alarm-state-matches-readings', 'pass'],
    ]);
    expect(atRest?.world?.devices).toEqual(
      expect.arrayContaining([
        {
          node: 'rack1-bmc',
          device: 'bmc',
          real: true,
          detail: `real BMC at IPMI ${lab.bmc} (lanplus): the hosts read its sensors; steps that drive the thermal model are not applicable`,
        },
      ]),
    );
    expect(atRest?.history.find((e) => e.name === 'site-thermal')?.data).toMatchObject({
      pollIntervalMs: labPollIntervalMs,
    });
    const interval = atRest?.checks.find((c) => c.name === 'bmc-read-at-site-interval');
    expect(interval?.summary).toContain(`the site asks for ${labPollIntervalMs} ms`);
    // No BMC simulator ran: the real one replaced it.
    expect(atRest?.world?.nodes?.some((n) => n.role === 'sim:bmc')).toBe(false);
    // The host's site named the lab BMC, and the harness read it over lanplus with the lab login.
    const traffic = atRest?.history.find((e) => e.name === 'bmc-traffic')?.data as
      BmcTraffic | undefined;
    if (traffic === undefined) throw new Error('no bmc-traffic observation');
    expect(traffic.bmcAddress).toBe(lab.bmc);
    expect(traffic.ports).toEqual([623]);
    const read = atRest?.history.find((e) => e.name === 'harness-bmc-read')?.data;
    expect(read).toMatchObject({ ok: true });
    expect(String(read?.command)).toContain(
      `-I lanplus -C 3 -H ${lab.bmc} -p 623 -U ${lab.bmcUser}`,
    );

    // From the BMC's side: every request to its IPMI port came from one address of the lab
    // network that is none of the lab's own devices (the machine's lab interface), and in the
    // scenario's capture window, when only the host talks to it, the BMC saw the host's requests
    // and sent replies in every slice, as many as the machine's side counted.
    const sources = [
      ...new Set(
        [...atBmc.matchAll(/IP (\d+\.\d+\.\d+\.\d+)\.\d+ > (\d+\.\d+\.\d+\.\d+)\.623:/g)]
          .filter((m) => m[2] === lab?.bmc)
          .map((m) => m[1] ?? ''),
      ),
    ];
    expect(sources).toHaveLength(1);
    const machine = sources[0] ?? '';
    expect([lab.tpm, lab.ups, lab.bmc]).not.toContain(machine);
    expect(machine.startsWith(lab.subnet.replace(/0\/24$/, ''))).toBe(true);
    const seen = parseBmcTraffic(atBmc, lab.bmc, [623]).filter(
      (p) => p.peer === machine && p.atMs >= traffic.fromMs && p.atMs < traffic.untilMs,
    );
    const slices = Math.floor((traffic.untilMs - traffic.fromMs) / sliceMs);
    expect(slices).toBeGreaterThanOrEqual(3);
    for (let i = 0; i < slices; i += 1) {
      const from = traffic.fromMs + i * sliceMs;
      const inSlice = seen.filter((p) => p.atMs >= from && p.atMs < from + sliceMs);
      expect(inSlice.filter((p) => p.direction === 'request').length, `slice ${i}`).toBeGreaterThan(
        0,
      );
      expect(inSlice.filter((p) => p.direction === 'reply').length, `slice ${i}`).toBeGreaterThan(
        0,
      );
    }
    // Over the span the machine's capture covered (its first to its last packet), the BMC
    // received the requests the machine sent: the same packets, seen from both ends.
    const sentTimes = traffic.packets.filter((p) => p.direction === 'request').map((p) => p.atMs);
    const firstMs = Math.min(...sentTimes);
    const lastMs = Math.max(...sentTimes);
    const received = parseBmcTraffic(atBmc, lab.bmc, [623]).filter(
      (p) =>
        p.peer === machine &&
        p.direction === 'request' &&
        p.atMs >= firstMs &&
        p.atMs <= lastMs + 20,
    ).length;
    expect(sentTimes.length).toBeGreaterThan(0);
    expect(
      Math.abs(received - sentTimes.length),
      `${received} at the BMC, ${sentTimes.length} sent by the machine`,
    ).toBeLessThanOrEqual(5);
    expect(await resourcesIn(engine, env.SOVH_NAMESPACE)).toEqual(nothingLeft);
  }, 600_000);

  it('names a profile entry that no scenario of the run has, before anything starts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sovh-lab-'));
    const profile = join(dir, 'lab.yaml');
    await writeFile(profile, 'machines:\n  hom: { tpm: sim }\n');
    const run = await runCli(['run', 'boot-binding', '--profile', profile], {
      SOVH_NAMESPACE: namespace('bad'),
    });
    expect(run.exitCode, run.all).toBe(2);
    expect(run.stderr).toContain(profile);
    expect(run.stderr).toContain(
      'machines.hom: no machine "hom" in the scenarios of this run: use one of elsewhere, home',
    );
  });

  it('refuses a lab network that does not exist, naming it and the fix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sovh-lab-'));
    const profile = join(dir, 'lab.yaml');
    await writeFile(
      profile,
      'labNetwork: sovh-no-such-lab\nmachines:\n  home: { tpm: { tcti: "swtpm:host=10.201.9.2,port=2321" } }\n',
    );
    const run = await runCli(['run', 'boot-binding', '--profile', profile], {
      SOVH_NAMESPACE: namespace('nolab'),
    });
    expect(run.exitCode, run.all).toBe(2);
    expect(run.stderr).toContain(`${profile}: labNetwork: no Docker network "sovh-no-such-lab"`);
    expect(run.stderr).toContain('docker network create --internal');
  }, 300_000);
});

/** tcpdump in the lab BMC's network namespace (the observer image), labelled as the lab. */
async function captureAtBmc(docker: Docker, lab: StandInLab): Promise<Docker.Container> {
  const image = await new ImageBuilder(docker, silentLogger).ensure(observerImage);
  const info = await lab.bmcContainer.inspect();
  const container = await docker.createContainer({
    Image: image.tag,
    Entrypoint: ['tcpdump', '-i', 'any', '-n', '-tt', '-l', 'udp port 623'],
    Labels: { [labLabel]: 'capture' },
    HostConfig: { NetworkMode: `container:${info.Id}`, CapAdd: ['NET_RAW', 'NET_ADMIN'] },
  });
  await container.start();
  // tcpdump says when it listens; before that a packet could be missed.
  for (let i = 0; i < 50; i += 1) {
    const logs = demuxLogBuffer(await container.logs({ stdout: true, stderr: true }));
    if (logs.includes('listening on')) return container;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await container.remove({ force: true });
  throw new Error('tcpdump in the lab BMC did not start');
}

async function stopCapture(container: Docker.Container): Promise<string> {
  try {
    await container.stop({ t: 2 });
    return demuxLogBuffer(await container.logs({ stdout: true }));
  } finally {
    await container.remove({ force: true });
  }
}
