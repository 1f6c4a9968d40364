import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { ImageBuilder } from '../engine/image-builder.ts';
import { demuxLogBuffer } from '../runtime/started-container.ts';
import { silentLogger } from '../util/log.ts';
import { waitUntil } from '../util/wait-until.ts';
import { bmcConfig, bmcImage, bmcOptionsSchema } from '../../sims/bmc/bmc.ts';
import { simImage } from '../../sims/images.ts';
import { swtpmImage } from '../../sims/tpm/swtpm.ts';
import { defaultCipherSuite } from '../devices/device-profile.ts';

/**
 * A vendor's lab, made outside the harness: an internal network with a standalone swtpm (a TPM
 * on a TCP TCTI), a standalone BMC (ipmi_sim and snmpd, IPMI over LAN) and a standalone NUT upsd, from the project's simulator images but started here,
 * not by a world. The harness reaches them only through the profile. The same lab is written down
 * for users in examples/profiles/ (its docker commands and its profile).
 */
export interface StandInLab {
  network: Docker.Network;
  networkName: string;
  containers: Docker.Container[];
  tpmContainer: Docker.Container;
  upsContainer: Docker.Container;
  bmcContainer: Docker.Container;
  subnet: string;
  /** The lab addresses of the TPM (swtpm on 2321) and of the NUT server (3493, UPS "labups"). */
  tpm: string;
  ups: string;
  /** The password of the NUT monitor user "labmon" (set LAB_UPS_PASSWORD to it). */
  upsPassword: string;
  /** The lab address of the BMC (IPMI on 623, SNMP v2c on 161). */
  bmc: string;
  /** The BMC's IPMI user and its password (set LAB_BMC_PASSWORD to it). */
  bmcUser: string;
  bmcPassword: string;
}

export const labLabel = 'dev.sovh.test-lab';

/** What the lab's UPS says of itself (a NUT dummy-ups serves these as its variables). */
export const labUpsIdentity = {
  'ups.mfr': 'Stand-in Power',
  'ups.model': 'Lab UPS 1000',
  'ups.firmware': '1.0.7',
};

export async function execIn(container: Docker.Container, cmd: string[]): Promise<string> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  await new Promise((resolve) => stream.on('end', resolve));
  // The stream is multiplexed: a frame header can fall inside a line, so the frames are stripped.
  return demuxLogBuffer(Buffer.concat(chunks));
}

async function createLabNetwork(docker: Docker, id: string) {
  // A free /24 for the lab: another run may hold one of these.
  for (const third of [201, 202, 203, 204, 205, 206]) {
    const subnet = `10.${String(third)}.${String(parseInt(id.slice(0, 2), 16))}.0/24`;
    try {
      const network = await docker.createNetwork({
        Name: `sovh-lab-${id}`,
        Internal: true,
        Labels: { [labLabel]: id },
        IPAM: { Config: [{ Subnet: subnet }] },
      });
      return { network, subnet };
    } catch {
      // taken: try the next
    }
  }
  throw new Error('no free subnet for the lab network');
}

/** Builds what is missing, starts the lab, and returns once its TPM and UPS answer. */
export async function startStandInLab(docker: Docker): Promise<StandInLab> {
  const builder = new ImageBuilder(docker, silentLogger);
  const [tpmImage, upsImage, labBmcImage] = await Promise.all([
    builder.ensure(swtpmImage),
    builder.ensure(simImage('ups')),
    builder.ensure(bmcImage),
  ]);
  const id = randomBytes(3).toString('hex');
  const { network, subnet } = await createLabNetwork(docker, id);
  const prefix = subnet.replace(/\.0\/24$/, '');
  const containers: Docker.Container[] = [];
  const start = async (
    name: string,
    image: string,
    address: string,
    cmd: string[],
    env: string[] = [],
  ) => {
    const container = await docker.createContainer({
      name: `sovh-lab-${id}-${name}`,
      Image: image,
      Entrypoint: ['sh', '-c'],
      Cmd: cmd,
      Env: env,
      Labels: { [labLabel]: id },
      HostConfig: { NetworkMode: `sovh-lab-${id}` },
      NetworkingConfig: {
        EndpointsConfig: { [`sovh-lab-${id}`]: { IPAMConfig: { IPv4Address: address } } },
      },
    });
    containers.push(container);
    await container.start();
    return container;
  };
  const upsPassword = randomBytes(6).toString('hex');
  const bmcUser = 'labadmin';
  const bmcPassword = randomBytes(6).toString('hex');
  try {
    const tpmContainer = await start('tpm', tpmImage.tag, `${prefix}.2`, [
      'mkdir -p /tmp/tpm && exec swtpm socket --tpm2 --tpmstate dir=/tmp/tpm --server type=tcp,port=2321,bindaddr=0.0.0.0 --ctrl type=tcp,port=2322,bindaddr=0.0.0.0 --flags not-need-init,startup-clear',
    ]);
    const upsConfig = {
      name: 'labups',
      port: 3493,
      description: 'lab UPS',
      monitor: { user: 'labmon', password: upsPassword },
      admin: { user: 'admin', password: randomBytes(6).toString('hex') },
      initial: {
        'ups.status': 'OL',
        'battery.charge': '100',
        'battery.runtime': '600',
        ...labUpsIdentity,
      },
    };
    const upsContainer = await start(
      'ups',
      upsImage.tag,
      `${prefix}.3`,
      [
        'mkdir -p /etc/ups && printf %s "$UPS_JSON" > /etc/ups/ups.json && exec /usr/lib/ups/ups-start',
      ],
      [`UPS_JSON=${JSON.stringify(upsConfig)}`],
    );
    // The project's BMC simulator, started on its own: its sensors hold the model's readings
    // at rest (nothing drives them), its identity is ipmi_sim's, its logins the lab's.
    const bmcJson = bmcConfig(bmcOptionsSchema.parse({ machine: 'lab' }), {
      user: bmcUser,
      password: bmcPassword,
      community: `ro${randomBytes(4).toString('hex')}`,
    });
    const bmcContainer = await start(
      'bmc',
      labBmcImage.tag,
      `${prefix}.4`,
      [
        'mkdir -p /etc/bmc && printf %s "$BMC_JSON" > /etc/bmc/bmc.json && exec /usr/lib/bmc/bmc-start',
      ],
      [`BMC_JSON=${JSON.stringify(bmcJson)}`],
    );
    await waitUntil(
      async () =>
        (await execIn(tpmContainer, ['tpm2_getcap', 'properties-fixed'])).includes(
          'TPM2_PT_FAMILY_INDICATOR',
        )
          ? true
          : undefined,
      { what: 'the lab swtpm', expected: 'answering', timeoutMs: 20_000 },
    );
    await waitUntil(
      async () =>
        (await execIn(upsContainer, ['upsc', 'labups@127.0.0.1', 'ups.status'])).includes('OL')
          ? true
          : undefined,
      { what: 'the lab upsd', expected: 'reporting OL', timeoutMs: 30_000 },
    );
    await waitUntil(
      async () =>
        (
          await execIn(bmcContainer, [
            'ipmitool',
            '-I',
            'lanplus',
            // Without -C ipmitool first asks for the cipher suites, which ipmi_sim never answers:
            // each try would cost about 10 s of retries.
            '-C',
            String(defaultCipherSuite),
            '-H',
            '127.0.0.1',
            '-U',
            bmcUser,
            '-P',
            bmcPassword,
            'mc',
            'info',
          ])
        ).includes('Manufacturer ID')
          ? true
          : undefined,
      { what: 'the lab BMC', expected: 'answering mc info', timeoutMs: 60_000 },
    );
    return {
      network,
      networkName: `sovh-lab-${id}`,
      containers,
      tpmContainer,
      upsContainer,
      bmcContainer,
      subnet,
      tpm: `${prefix}.2`,
      ups: `${prefix}.3`,
      upsPassword,
      bmc: `${prefix}.4`,
      bmcUser,
      bmcPassword,
    };
  } catch (error) {
    for (const container of containers) await container.remove({ force: true, v: true });
    await network.remove();
    throw error;
  }
}

export async function removeStandInLab(lab: StandInLab | undefined): Promise<void> {
  if (lab === undefined) return;
  for (const container of lab.containers) await container.remove({ force: true, v: true });
  await lab.network.remove();
}

/**
 * A profile for the lab: `machine`'s TPM and the UPS `ups` are the lab's, and so is the BMC of
 * each machine of `bmcMachines` (its password in LAB_BMC_PASSWORD).
 */
export function standInLabProfile(
  lab: StandInLab,
  machine: string,
  ups = 'ups1',
  bmcMachines: readonly string[] = [],
): string {
  const bmc = `bmc: { ipmi: "${lab.bmc}", user: ${lab.bmcUser}, passwordEnv: LAB_BMC_PASSWORD }`;
  const machines = [...new Set([machine, ...bmcMachines])].map((name) => {
    const devices = [
      ...(name === machine ? [`tpm: { tcti: "swtpm:host=${lab.tpm},port=2321" }`] : []),
      ...(bmcMachines.includes(name) ? [bmc] : []),
    ];
    return `  ${name}: { ${devices.join(', ')} }`;
  });
  return [
    `labNetwork: ${lab.networkName}`,
    'machines:',
    ...machines,
    'ups:',
    `  ${ups}: { nut: "${lab.ups}:3493", name: labups, user: labmon, passwordEnv: LAB_UPS_PASSWORD }`,
    '',
  ].join('\n');
}
