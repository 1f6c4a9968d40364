import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namespacedEngine, nothingLeft, resourcesIn } from '../testing/docker-test-kit.ts';
import { runCli } from '../testing/run-cli.ts';
import { waitUntil } from '../util/wait-until.ts';
import type { ParityReport, ParityRow } from './parity-compare.ts';

const examples = join(import.meta.dirname, '..', '..', 'examples', 'profiles');
const labScript = join(examples, 'stand-in-lab.sh');
const labProfile = join(examples, 'lab.yaml');
const labNetwork = 'sovh-stand-in-lab';

/** A simulator image the stand-in lab is made from (built once any scenario has run). */
async function simImage(name: string): Promise<string> {
  const found = (
    await execa('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', `sovh/${name}`])
  ).stdout.split('\n')[0];
  if (found === undefined || found === '') throw new Error(`no sovh/${name} image`);
  return found;
}

/**
 * `sovh parity` against the stand-in lab of examples/profiles (its own script, its own profile):
 * a standalone swtpm, NUT upsd and BMC simulator on the internal network sovh-stand-in-lab. The
 * command starts a simulator of each kind and compares both sides with the same probes.
 */
describe('sovh parity with the stand-in lab', () => {
  const { engine, namespace } = namespacedEngine();
  const secrets = {
    LAB_UPS_PASSWORD: randomBytes(6).toString('hex'),
    LAB_BMC_PASSWORD: randomBytes(6).toString('hex'),
  };
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sovh-parity-'));
    const up = await execa(labScript, ['up'], { reject: false, all: true, env: secrets });
    if (up.exitCode !== 0) throw new Error(`stand-in-lab.sh up failed: ${up.all}`);
  }, 120_000);

  afterAll(async () => {
    await execa(labScript, ['down'], { reject: false });
    await rm(dir, { recursive: true, force: true });
    const networks = await engine().docker.listNetworks({ filters: { name: [labNetwork] } });
    expect(networks.filter((n) => n.Name === labNetwork)).toEqual([]);
  }, 60_000);

  const deviceRows = (report: ParityReport, kind: 'tpm' | 'ups' | 'bmc', address?: string) => {
    const device = report.devices.find(
      (d) => d.kind === kind && (address === undefined || d.address === address),
    );
    if (device === undefined) throw new Error(`no ${kind} ${address ?? ''} in the report`);
    const byItem = new Map(device.rows.map((r) => [r.item, r]));
    return (item: string): ParityRow => {
      const row = byItem.get(item);
      if (row === undefined)
        throw new Error(`no ${kind} row "${item}": ${[...byItem.keys()].join(', ')}`);
      return row;
    };
  };

  it('shows the TPM, UPS and BMC side by side with what differs, and exits 0 when nothing could change a verdict', async () => {
    const ns = namespace('parity');
    const json = join(dir, 'parity.json');
    const run = await runCli(['parity', '--profile', labProfile, '--json', json], {
      SOVH_NAMESPACE: ns,
      ...secrets,
    });
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stdout).toContain(
      '== TPM swtpm:host=10.99.0.2,port=2321 (vm1-machine, home, rack1, rack2, gate1-machine)',
    );
    expect(run.stdout).toContain('== UPS labups@10.99.0.3:3493 (ups1)');
    expect(run.stdout).toContain('== BMC IPMI 10.99.0.4 (rack1, rack2)');
    expect(run.stdout).toContain('not compared: the profile has no HSM devices');
    expect(run.stdout).toContain('parity: no difference could change a verdict');
    // The printed table and the JSON say the same.
    expect(run.stdout).toMatch(/^ups\.mfr +Dummy Manufacturer +Stand-in Power +DIFFERS *$/m);

    const report = JSON.parse(await readFile(json, 'utf8')) as ParityReport;
    expect(report.verdictChanging).toBe(0);
    // Both TPMs are swtpm: the banks, algorithms and maker the boot binding relies on are the same.
    const tpm = deviceRows(report, 'tpm');
    for (const item of [
      'PCR bank sha256',
      'algorithm sha256',
      'algorithm ecc',
      'algorithm keyedhash',
      'manufacturer',
      'persistent handles',
    ])
      expect(tpm(item).verdict, item).toBe('same');
    expect(tpm('PCR bank sha256').real).toBe('0-23');
    expect(tpm('manufacturer').real).toBe('IBM');
    // The lab's upsd names its UPS; the simulator keeps NUT dummy-ups's defaults and also serves
    // the load and input voltage of its battery model, which the lab's leaves out.
    const ups = deviceRows(report, 'ups');
    expect(ups('ups.status')).toMatchObject({ simulator: 'OL', real: 'OL', verdict: 'same' });
    expect(ups('battery.charge').verdict).toBe('same');
    expect(ups('ups.mfr')).toMatchObject({
      simulator: 'Dummy Manufacturer',
      real: 'Stand-in Power',
      verdict: 'differs',
    });
    expect(ups('ups.model')).toMatchObject({ real: 'Lab UPS 1000', verdict: 'differs' });
    expect(ups('ups.firmware')).toMatchObject({ real: '1.0.7', verdict: 'only-real' });
    expect(ups('ups.load')).toMatchObject({ real: '(absent)', verdict: 'only-simulator' });
    expect(ups('input.voltage').verdict).toBe('only-simulator');
    // The lab's BMC is the BMC simulator itself: same identity, sensors and thresholds.
    const bmc = deviceRows(report, 'bmc');
    expect(bmc('manufacturer')).toMatchObject({
      real: 'MontaVista Software, Inc. (4753)',
      verdict: 'same',
    });
    for (const role of ['inlet', 'cpu', 'exhaust']) {
      expect(bmc(`sensor ${role}`).verdict).toBe('same');
      expect(bmc(`thresholds ${role}`).verdict).toBe('same');
    }
    expect(bmc('sensor inlet').real).toBe('Inlet Temp (01h, degrees C)');
    expect(bmc('thresholds inlet').real).toBe('lcr 15 lnc 18 unc 27 ucr 32');
    expect(bmc('IPMI 1.5 login (lan, MD5)')).toMatchObject({ real: 'answers', verdict: 'same' });
    expect(await resourcesIn(engine(), ns)).toEqual(nothingLeft);
  }, 400_000);

  it('exits 1 when the real TPM already holds an object where the stack persists its primary key', async () => {
    // A primary key made persistent at 0x81000001 in the lab's swtpm, from a helper on the lab
    // network (the observer image's tpm2-tools).
    const image = await simImage('sim-observer');
    const made = await execa(
      'docker',
      [
        'run',
        '--rm',
        '--network',
        labNetwork,
        '-e',
        'TPM2TOOLS_TCTI=swtpm:host=10.99.0.2,port=2321',
        '--entrypoint',
        'sh',
        image,
        '-c',
        'tpm2_createprimary -C o -g sha256 -G ecc256 -c /tmp/p.ctx >/dev/null && tpm2_evictcontrol -C o -c /tmp/p.ctx 0x81000001 >/dev/null && tpm2_flushcontext -t',
      ],
      { reject: false, all: true },
    );
    expect(made.exitCode, made.all).toBe(0);
    const ns = namespace('parity-handle');
    const json = join(dir, 'handle.json');
    const run = await runCli(['parity', '--profile', labProfile, '--json', json], {
      SOVH_NAMESPACE: ns,
      ...secrets,
    });
    expect(run.exitCode, run.all).toBe(1);
    expect(run.stdout).toMatch(
      /^persistent handle 0x81000001 +\(absent\) +present +only on real +YES: the stack persists its primary key/m,
    );
    expect(run.stdout).toContain('parity: 1 difference(s) could change a verdict');
    const report = JSON.parse(await readFile(json, 'utf8')) as ParityReport;
    expect(report.verdictChanging).toBe(1);
    expect(await resourcesIn(engine(), ns)).toEqual(nothingLeft);
  }, 400_000);

  it("compares a BMC's sensors by the names the profile gives them: renamed and present is the same, mapped and missing could change a verdict", async () => {
    // A second lab BMC whose inlet sensor has another SDR name than the simulator's.
    const sensors = [
      {
        key: 'inlet',
        index: 1,
        name: 'Ambient Temp',
        entity: 55,
        initialC: 21.8,
        thresholds: {
          lowerCritical: 15,
          lowerNonCritical: 18,
          upperNonCritical: 27,
          upperCritical: 32,
        },
      },
      {
        key: 'cpu',
        index: 2,
        name: 'CPU Temp',
        entity: 3,
        initialC: 45.8,
        thresholds: {
          lowerCritical: 0,
          lowerNonCritical: 5,
          upperNonCritical: 85,
          upperCritical: 95,
        },
      },
      {
        key: 'exhaust',
        index: 3,
        name: 'Exhaust Temp',
        entity: 7,
        initialC: 27.8,
        thresholds: {
          lowerCritical: 0,
          lowerNonCritical: 5,
          upperNonCritical: 45,
          upperCritical: 55,
        },
      },
    ];
    const bmcJson = {
      machine: 'lab2',
      pollMs: 250,
      ipmi: { user: 'labadmin', password: secrets.LAB_BMC_PASSWORD, port: 623 },
      snmp: { community: `ro${randomBytes(4).toString('hex')}`, port: 161 },
      sensors,
    };
    const renamed = `${labNetwork}-bmc-renamed`;
    await execa('docker', [
      'run',
      '-d',
      '--name',
      renamed,
      '--label',
      'dev.sovh.stand-in-lab=1',
      '--network',
      labNetwork,
      '--ip',
      '10.99.0.5',
      '-e',
      `BMC_JSON=${JSON.stringify(bmcJson)}`,
      '--entrypoint',
      'sh',
      await simImage('sim-bmc'),
      '-c',
      'mkdir -p /etc/bmc && printf %s "$BMC_JSON" > /etc/bmc/bmc.json && exec /usr/lib/bmc/bmc-start',
    ]);
    try {
      await waitUntil(
        async () => {
          const answer = await execa(
            'docker',
            [
              'exec',
              renamed,
              'ipmitool',
              '-I',
              'lanplus',
              '-C',
              '3',
              '-H',
              '127.0.0.1',
              '-U',
              'labadmin',
              '-P',
              secrets.LAB_BMC_PASSWORD,
              'sdr',
              'type',
              'Temperature',
            ],
            { reject: false },
          );
          return answer.stdout.includes('Ambient Temp') ? true : undefined;
        },
        { what: 'the renamed lab BMC', expected: 'listing Ambient Temp', timeoutMs: 60_000 },
      );
      const bmc = (ip: string, names: string) =>
        `{ ipmi: '${ip}', user: labadmin, passwordEnv: LAB_BMC_PASSWORD, cipherSuite: 3, sensors: ${names} }`;
      const profile = join(dir, 'renamed.yaml');
      await writeFile(
        profile,
        [
          `labNetwork: ${labNetwork}`,
          'machines:',
          `  rack1: { bmc: ${bmc('10.99.0.5', "{ inlet: { name: 'Ambient Temp' } }")} }`,
          `  rack2: { bmc: ${bmc('10.99.0.4', "{ cpu: { name: 'Processor Temp' } }")} }`,
          '',
        ].join('\n'),
      );
      const ns = namespace('parity-renamed');
      const json = join(dir, 'renamed.json');
      const run = await runCli(['parity', '--profile', profile, '--json', json], {
        SOVH_NAMESPACE: ns,
        ...secrets,
      });
      expect(run.exitCode, run.all).toBe(1);
      const report = JSON.parse(await readFile(json, 'utf8')) as ParityReport;
      const renamedRows = deviceRows(report, 'bmc', 'IPMI 10.99.0.5');
      expect(renamedRows('sensor inlet')).toMatchObject({
        simulator: 'Inlet Temp (01h, degrees C)',
        real: 'Ambient Temp (01h, degrees C)',
        verdict: 'same',
      });
      expect(renamedRows('thresholds inlet').verdict).toBe('same');
      const marked = (address: string) =>
        report.devices
          .find((d) => d.address === address)
          ?.rows.filter((r) => r.couldChangeVerdict !== undefined)
          .map((r) => r.item);
      expect(marked('IPMI 10.99.0.5')).toEqual([]);
      // The lab's other BMC has no "Processor Temp": the one difference that could change a verdict.
      expect(marked('IPMI 10.99.0.4')).toEqual(['sensor cpu']);
      expect(report.verdictChanging).toBe(1);
      expect(run.stdout).toMatch(
        /^sensor cpu +CPU Temp \(02h, degrees C\) +\(absent\) +only on simulator +YES: .*"Processor Temp"/m,
      );
      expect(await resourcesIn(engine(), ns)).toEqual(nothingLeft);
    } finally {
      await execa('docker', ['rm', '-f', renamed], { reject: false });
    }
  }, 400_000);

  it('refuses a profile whose device does not answer, naming it, its address and what was tried (exit 2)', async () => {
    const profile = join(dir, 'silent.yaml');
    await writeFile(
      profile,
      `labNetwork: ${labNetwork}\nmachines:\n  rack1: { tpm: { tcti: 'swtpm:host=10.99.0.9,port=2321' } }\n`,
    );
    const ns = namespace('parity-silent');
    const run = await runCli(['parity', '--profile', profile], { SOVH_NAMESPACE: ns });
    expect(run.exitCode, run.all).toBe(2);
    expect(run.stderr).toContain(
      'the real TPM at swtpm:host=10.99.0.9,port=2321 did not answer `tpm2_getcap properties-fixed`',
    );
    expect(run.stdout).not.toContain('== TPM');
    expect(await resourcesIn(engine(), ns)).toEqual(nothingLeft);
  }, 200_000);

  it('refuses a profile with no real device, and no profile at all (exit 2)', async () => {
    const profile = join(dir, 'all-sim.yaml');
    await writeFile(profile, 'machines:\n  rack1: { tpm: sim }\n');
    const simOnly = await runCli(['parity', '--profile', profile], {
      SOVH_NAMESPACE: namespace('parity-sim'),
    });
    expect(simOnly.exitCode, simOnly.all).toBe(2);
    expect(simOnly.stderr).toContain('names no real device');
    const none = await runCli(['parity'], { SOVH_NAMESPACE: namespace('parity-none') });
    expect(none.exitCode, none.all).toBe(2);
    expect(none.stderr).toContain('sovh parity needs a device profile');
  }, 60_000);
});
