import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { bmcImage, bmcOptionsSchema, startBmc } from '../../../sims/bmc/bmc.ts';
import { observerImage, startObserver } from '../../../sims/observer/observer.ts';
import { StartedTpm, swtpmImage } from '../../../sims/tpm/swtpm.ts';
import { startUps, upsdPort, upsImage, upsOptionsSchema } from '../../../sims/ups/ups.ts';
import {
  defaultCipherSuite,
  parseHostPort,
  type DeviceProfile,
  type RealBmcProfile,
  type RealUpsProfile,
} from '../../devices/device-profile.ts';
import { lanplusLogin } from '../../devices/ipmitool-args.ts';
import { inspectLabNetwork } from '../../devices/lab-network.ts';
import { loadProfileFile } from '../../devices/profile-file.ts';
import { locateEngine } from '../../engine/engine-locator.ts';
import { ImageBuilder } from '../../engine/image-builder.ts';
import { compareBmc, type BmcProbe } from '../../parity/bmc-compare.ts';
import {
  compareTpm,
  compareUps,
  parityExitCode,
  parityReport,
  renderParity,
  type ParityDevice,
  type TpmProbe,
  type UpsProbe,
} from '../../parity/parity-compare.ts';
import { probeBmc, probeTpm, probeUps, type BmcTarget } from '../../parity/device-probes.ts';
import { sensorRoles } from '../../parity/sensor-roles.ts';
import { currentNamespace } from '../../runtime/labels.ts';
import { RunSession } from '../../runtime/run-session.ts';
import { registerForSignalTeardown } from '../../runtime/signal-teardown.ts';
import { defaultBootChain } from '../../topology/topology-schema.ts';
import { mustParseCidr, nthAddress, subnetsOf } from '../../util/cidr.ts';
import type { Logger } from '../../util/log.ts';
import { SovhError } from '../../util/sovh-error.ts';

export interface ParityOptions {
  profile?: string;
  json?: string;
}

/** The real devices of a profile, each once, with the profile names that use it. */
interface RealDevices {
  tpms: { tcti: string; machines: string[] }[];
  upses: { ups: RealUpsProfile; names: string[] }[];
  bmcs: { bmc: RealBmcProfile; machines: string[] }[];
}

function realDevices(profile: DeviceProfile): RealDevices {
  const tpms = new Map<string, string[]>();
  const bmcs = new Map<string, { bmc: RealBmcProfile; machines: string[] }>();
  for (const [name, machine] of Object.entries(profile.machines)) {
    if (machine.tpm !== 'sim') {
      const tcti = 'tcti' in machine.tpm ? machine.tpm.tcti : `device:${machine.tpm.device}`;
      tpms.set(tcti, [...(tpms.get(tcti) ?? []), name]);
    }
    if (machine.bmc !== 'sim') {
      const key = JSON.stringify(machine.bmc);
      const entry = bmcs.get(key) ?? { bmc: machine.bmc, machines: [] };
      entry.machines.push(name);
      bmcs.set(key, entry);
    }
  }
  const upses = new Map<string, { ups: RealUpsProfile; names: string[] }>();
  for (const [name, ups] of Object.entries(profile.ups)) {
    if (ups === 'sim') continue;
    const key = `${ups.name}@${ups.nut}`;
    const entry = upses.get(key) ?? { ups, names: [] };
    entry.names.push(name);
    upses.set(key, entry);
  }
  return {
    tpms: [...tpms].map(([tcti, machines]) => ({ tcti, machines })),
    upses: [...upses.values()],
    bmcs: [...bmcs.values()],
  };
}

/** The simulators' own network: internal, of this session only. */
const simSubnets = () => subnetsOf(mustParseCidr('10.243.0.0/16'), 24);

/**
 * `sovh parity --profile lab.yaml`: starts a simulator for each real device of the profile (as a
 * world starts it), runs the same read-only probes against both from harness containers, and
 * prints side by side what differs, marking each difference that could change a verdict. Exit 0
 * when none could, 1 when one could, 2 for bad input (no profile, no real device, a device that
 * does not answer).
 */
export async function parityCommand(options: ParityOptions, log: Logger): Promise<number> {
  if (options.profile === undefined)
    throw new SovhError(
      'PARITY_NEEDS_PROFILE',
      'sovh parity needs a device profile: give --profile lab.yaml (docs/real-hardware.md describes the format)',
    );
  const loaded = await loadProfileFile(options.profile);
  const devices = realDevices(loaded.profile);
  if (devices.tpms.length + devices.upses.length + devices.bmcs.length === 0)
    throw new SovhError(
      'PARITY_NO_REAL_DEVICE',
      `${loaded.file} names no real device (every TPM, BMC and UPS in it is "sim"): give a machine's tpm or bmc, or a ups, as the lab reaches it`,
    );
  const jsonPath = options.json === undefined ? undefined : resolve(options.json);
  if (jsonPath !== undefined) await mkdir(dirname(jsonPath), { recursive: true });
  const engine = await locateEngine(process.env, log);
  if (engine === undefined)
    throw new SovhError(
      'ENGINE_NOT_FOUND',
      'no container engine answered: sovh parity starts the simulators in containers; start one (`sovh run` installs and starts dockerd)',
    );
  const lab = await inspectLabNetwork(engine.docker, loaded);
  const images = new ImageBuilder(engine.docker, log);
  const session = await RunSession.open({
    docker: engine.docker,
    namespace: currentNamespace(),
    log,
    scenario: 'parity',
  });
  const unregister = registerForSignalTeardown(session);
  const compared: ParityDevice[] = [];
  try {
    const [observer, tpmImage, upsTag, bmcTag] = await Promise.all([
      images.ensure(observerImage),
      devices.tpms.length > 0 ? images.ensure(swtpmImage) : undefined,
      devices.upses.length > 0 ? images.ensure(upsImage) : undefined,
      devices.bmcs.length > 0 ? images.ensure(bmcImage) : undefined,
    ]);
    // The real side: the harness's container on the lab network only (as sovh certify's), with
    // the TPM device nodes the profile passes through.
    const labSide = session
      .container(observer.tag, 'parity-lab')
      .withNode('parity-lab', 'observer')
      .withEntrypoint(['sleep', 'infinity'])
      .withInit();
    if (lab !== undefined) labSide.withNetwork(lab.name);
    for (const { tcti } of devices.tpms)
      if (tcti.startsWith('device:')) labSide.withDevice(tcti.slice('device:'.length));
    const real = await labSide.start();
    // The simulated side: the simulators on an internal network of their own, read by an observer
    // there; the simulated TPM sits in that observer's network namespace, as on a machine's board.
    const network = await session.createNetwork('parity-sims', simSubnets());
    const address = (n: number) => nthAddress(network.subnet, n);
    const simSide = await startObserver(
      session,
      observer.tag,
      'parity',
      { name: network.name, address: address(2) },
      'parity-sims-observer',
    );

    // Every real device is probed before the simulators start: one that does not answer is bad
    // input, named in seconds.
    const realTpms: TpmProbe[] = [];
    for (const tpm of devices.tpms) {
      realTpms.push(await probeTpm(real, tpm.tcti, 'real'));
    }
    const realUpses: UpsProbe[] = [];
    for (const { ups } of devices.upses)
      realUpses.push(await probeUps(real, upsTarget(ups), 'real'));
    const realBmcs: BmcProbe[] = [];
    for (const { bmc } of devices.bmcs) realBmcs.push(await probeBmc(real, bmcTarget(bmc), 'real'));

    if (tpmImage !== undefined) {
      const simTpm = await StartedTpm.powerOn({
        session,
        image: tpmImage.tag,
        machine: 'parity-sim',
        pod: simSide,
        stateVolume: await session.createVolume('parity-sim-tpm-state'),
        bootChain: defaultBootChain,
      });
      const simulator = await probeTpm(simSide, simTpm.tcti, 'simulator');
      devices.tpms.forEach((tpm, i) => {
        const realProbe = realTpms[i];
        if (realProbe === undefined) return;
        compared.push({
          kind: 'tpm',
          address: tpm.tcti,
          usedBy: tpm.machines,
          rows: compareTpm(simulator, realProbe),
          notCompared: ["PCR values: they measure each machine's own boot"],
        });
      });
    }
    if (upsTag !== undefined) {
      const options = upsOptionsSchema.parse({});
      const ups = await startUps({
        session,
        image: upsTag.tag,
        service: { name: 'parity-sim-ups', kind: 'ups', zone: 'parity', legs: [], options },
        network: { name: network.name, address: address(3) },
      });
      const simulator = await probeUps(
        simSide,
        `${options.upsName}@${ups.address}:${String(upsdPort)}`,
        'simulator',
      );
      devices.upses.forEach((entry, i) => {
        const realProbe = realUpses[i];
        if (realProbe === undefined) return;
        compared.push({
          kind: 'ups',
          address: upsTarget(entry.ups),
          usedBy: entry.names,
          rows: compareUps(simulator, realProbe),
          notCompared: [
            'readings (battery.*, input.*, output.*, ups.load, driver.parameter.port): presence only',
          ],
        });
      });
      await ups.stop();
    }
    if (bmcTag !== undefined) {
      const bmc = await startBmc({
        session,
        image: bmcTag.tag,
        service: {
          name: 'parity-sim-bmc',
          kind: 'bmc',
          zone: 'parity',
          legs: [],
          options: bmcOptionsSchema.parse({ machine: 'parity-sim' }),
        },
        network: { name: network.name, address: address(4) },
      });
      const { user, password, community } = bmc.credentials;
      for (const [i, entry] of devices.bmcs.entries()) {
        const realProbe = realBmcs[i];
        if (realProbe === undefined) continue;
        const snmp = entry.bmc.snmp;
        const simulator = await probeBmc(
          simSide,
          {
            host: bmc.address,
            port: 623,
            user,
            // The suite the hosts use with the simulator; the profile's is for the real BMC.
            cipherSuite: defaultCipherSuite,
            password,
            passwordFrom: 'the simulator',
            ...(snmp === undefined ? {} : { snmp: { version: '2c', port: 161, community } }),
          },
          'simulator',
        );
        compared.push({
          kind: 'bmc',
          address: `IPMI ${entry.bmc.ipmi}`,
          usedBy: entry.machines,
          rows: compareBmc(simulator, realProbe, sensorRoles(entry.bmc)),
          notCompared: [
            'sensor readings: they follow the room',
            ...(snmp === undefined
              ? ['SNMP: not compared: the profile gives no snmp for this BMC']
              : []),
          ],
        });
      }
      await bmc.stop();
    }
  } finally {
    unregister();
    await session.teardown();
  }
  const report = parityReport(loaded.file, compared);
  process.stdout.write(`${renderParity(report)}\n`);
  if (jsonPath !== undefined) {
    await writeFile(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
    log.info(`parity table written to ${jsonPath}`);
  }
  return parityExitCode(report);
}

function upsTarget(ups: RealUpsProfile): string {
  const server = parseHostPort(ups.nut);
  if (server === undefined) throw new Error(`bad NUT address ${ups.nut}`);
  return `${ups.name}@${server.host}:${String(server.port)}`;
}

/** The real BMC as the hosts reach it: the profile's login and cipher suite, its sensors' OIDs. */
function bmcTarget(bmc: RealBmcProfile, env: NodeJS.ProcessEnv = process.env): BmcTarget {
  const secret = (variable: string) => env[variable] ?? '';
  const snmp = bmc.snmp;
  const sensorOids = sensorRoles(bmc)
    .map((role) => role.real.snmpOid)
    .filter((oid) => oid !== undefined);
  return {
    ...lanplusLogin(bmc),
    password: secret(bmc.passwordEnv),
    passwordFrom: bmc.passwordEnv,
    ...(snmp === undefined
      ? {}
      : {
          sensorOids,
          snmp:
            snmp.version === '2c'
              ? { version: '2c', port: snmp.port, community: secret(snmp.communityEnv) }
              : {
                  version: '3',
                  port: snmp.port,
                  user: snmp.user,
                  authPassword: secret(snmp.authPasswordEnv),
                  ...(snmp.privPasswordEnv === undefined
                    ? {}
                    : { privPassword: secret(snmp.privPasswordEnv) }),
                },
        }),
  };
}
