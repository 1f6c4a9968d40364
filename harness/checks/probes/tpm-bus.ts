import { randomBytes } from 'node:crypto';
import { waitUntil } from '../../util/wait-until.ts';
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
        // Each packet to the file as it arrives: without it, libpcap hands packets over in blocks
        // up to a second late, and a read right after the host's unseal missed it.
        '--immediate-mode',
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

  /**
   * Every TPM command sent so far. A marker connection to the TPM, opened by the harness now, must
   * be in the capture first: everything the host sent before it is then in the file too.
   */
  async commands(): Promise<TpmCommand[]> {
    await this.awaitMarker();
    const result = await this.container.run(['tpm-commands', capturePath], { timeoutMs: 60_000 });
    return result.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as TpmCommand);
  }

  private async awaitMarker(): Promise<void> {
    const marker = await this.container.exec(
      [
        'python3',
        '-c',
        'import socket; s = socket.create_connection(("127.0.0.1", 2321), 5); print(s.getsockname()[1]); s.close()',
      ],
      { timeoutMs: 15_000 },
    );
    const port = marker.stdout.trim();
    if (marker.exitCode !== 0 || !/^\d+$/.test(port))
      throw new Error(`the TPM bus marker connection failed: ${marker.stderr.trim()}`);
    await waitUntil(
      async () =>
        (
          await this.container.exec(['tpm-commands', '--seen-port', port, capturePath], {
            timeoutMs: 30_000,
          })
        ).exitCode === 0
          ? true
          : undefined,
      {
        what: 'the TPM bus capture',
        expected: `holding the harness's marker connection from port ${port}`,
        timeoutMs: 20_000,
        intervalMs: 200,
      },
    );
  }

  async stop(): Promise<void> {
    await this.container.remove();
  }
}
