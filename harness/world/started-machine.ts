import type { RunSession } from '../runtime/run-session.ts';
import type { StartedContainer } from '../runtime/started-container.ts';
import type { Machine } from '../topology/topology-schema.ts';
import { StartedTpm } from '../../sims/tpm/swtpm.ts';

export interface MachineImages {
  pod: string;
  tpm: string;
}

/**
 * A physical machine of the world: a "pod" container that holds its network identity (its
 * address on its zone's network) and its TPM, which sits on the machine's loopback. Hosts (VMs)
 * boot on a machine by joining the pod's network namespace.
 */
export class StartedMachine {
  private generation = 0;

  private constructor(
    readonly spec: Machine,
    readonly address: string,
    readonly pod: StartedContainer,
    private currentTpm: StartedTpm,
    private readonly session: RunSession,
    private readonly images: MachineImages,
    private readonly tpmStateVolume: string,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  get tpm(): StartedTpm {
    return this.currentTpm;
  }

  static async start(
    session: RunSession,
    spec: Machine,
    network: { name: string; address: string },
    images: MachineImages,
  ): Promise<StartedMachine> {
    const pod = await session
      .container(images.pod, spec.name)
      .withNode(spec.name, 'machine')
      .withNetwork(network.name, network.address, [spec.name])
      .withInit()
      .withCommand(['sleep', 'infinity'])
      .start();
    const tpmStateVolume = await session.createVolume(`${spec.name}-tpm-state`);
    const tpm = await StartedTpm.powerOn({
      session,
      image: images.tpm,
      machine: spec.name,
      pod,
      stateVolume: tpmStateVolume,
      bootChain: spec.bootChain,
    });
    return new StartedMachine(spec, network.address, pod, tpm, session, images, tpmStateVolume);
  }

  /**
   * Powers the TPM off and on again (PCRs reset), with the firmware measuring `bootChain`. The
   * caller stops the host first, as a machine's power cycle would.
   */
  async powerCycleTpm(bootChain: string): Promise<void> {
    await this.currentTpm.powerOff();
    this.generation += 1;
    this.currentTpm = await StartedTpm.powerOn(
      {
        session: this.session,
        image: this.images.tpm,
        machine: this.spec.name,
        pod: this.pod,
        stateVolume: this.tpmStateVolume,
        bootChain,
      },
      this.generation,
    );
  }
}
