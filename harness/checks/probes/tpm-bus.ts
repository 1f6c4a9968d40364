import { randomBytes } from 'node:crypto';
import type { StartedContainer } from '../../runtime/started-container.ts';
import type { StartedMachine } from '../../world/started-machine.ts';
import type { World } from '../../world/world.ts';

/** A TPM command seen on a machine's TPM bus, with when it was sent (epoch ms). */
export interface TpmCommand {
  atMs: number;
  code: number;
  name: string;
}

const capturePath = '/tmp/tpm-bus.pcap';

/**
 * Watches a machine's TPM bus: tcpdump on the machine's loopback (the harness's capture container
 * joins the machine's network namespace, as a logic analyser clipped to the board), so the
 * harness sees which commands the host sends its TPM (TPM2_Unseal, ...) without asking the host.
 */
export class TpmBusCapture {
  private constructor(private readonly container: StartedContainer) {}

  static async start(world: World, machine: StartedMachine): Promise<TpmBusCapture> {
    const builder = world.session
      .container(world.images.observer, `tpmbus-${machine.name}-${randomBytes(2).toString('hex')}`)
      .withNode(`tpmbus-${machine.name}`, 'forensics')
      .withNetworkNamespaceOf(machine.pod)
      .withCapabilities('NET_RAW', 'NET_ADMIN')
      .withCommand([
        'tcpdump',
        '-i',
        'lo',
        '-U',
        '-s',
        '0',
        '-w',
        capturePath,
        'tcp',
        'port',
        '2321',
      ])
      .withStartupCheck((c) => c.waitForLog(/listening on lo/, 30_000).then(() => undefined));
    // Joining the machine's namespace goes through the machine (its resolv.conf may be locked).
    return new TpmBusCapture(await machine.admit(() => builder.start()));
  }

  /** Every TPM command captured so far. */
  async commands(): Promise<TpmCommand[]> {
    const result = await this.container.run(['tpm-commands', capturePath], { timeoutMs: 60_000 });
    return result.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as TpmCommand);
  }

  async stop(): Promise<void> {
    await this.container.remove();
  }
}
