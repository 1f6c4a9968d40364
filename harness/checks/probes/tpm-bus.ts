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

/** What the capture saw, and what it may have missed. */
export interface TpmBusRecord {
  commands: TpmCommand[];
  /**
   * Why the capture may lack commands: packets the kernel dropped before tcpdump read them, a
   * hole in a connection's bytes, a packet cut short. Empty when the capture is whole; when it is
   * not, the record proves what it shows but never that a command was not sent.
   */
  gaps: string[];
}

/** tcpdump's own count, printed on SIGUSR1: "... N packets dropped by kernel". */
const droppedLine = /(\d+) packets? dropped by kernel/;

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
        // A 16 MiB ring of 8 KiB slots: the default 2 MiB in slots sized to the loopback's 64 KiB
        // MTU held about 30 packets, a few TPM commands' worth while tcpdump waited for a core.
        // 8 KiB holds a whole TPM command (4 KiB at most) and its framing.
        '-B',
        '16384',
        '-s',
        '8192',
        // Each packet to the file as it arrives: without it, libpcap hands packets over in blocks
        // up to a second late, and a read right after the host's unseal missed it.
        '--immediate-mode',
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
   * Every TPM command sent so far, and whether the capture is whole. A marker connection to the
   * TPM, opened by the harness now, must be in the capture first: everything the host sent before
   * it is then in the file too.
   */
  async record(): Promise<TpmBusRecord> {
    await this.awaitMarker();
    const dropped = await this.kernelDrops();
    const result = await this.container.run(['tpm-commands', capturePath], { timeoutMs: 60_000 });
    if (result.exitCode !== 0)
      throw new Error(`tpm-commands could not read the TPM bus capture: ${result.stderr.trim()}`);
    const decoded = JSON.parse(result.stdout) as TpmBusRecord;
    const gaps = dropped > 0 ? [`tcpdump: ${String(dropped)} packets dropped by kernel`] : [];
    return { commands: decoded.commands, gaps: [...gaps, ...decoded.gaps] };
  }

  /** tcpdump's count of packets the kernel dropped before it read them (asked by SIGUSR1). */
  private async kernelDrops(): Promise<number> {
    const countLines = async () =>
      (await this.container.logs(1_000)).split('\n').filter((line) => droppedLine.test(line));
    const before = (await countLines()).length;
    const signal = await this.container.exec(['sh', '-c', 'kill -USR1 1'], { timeoutMs: 15_000 });
    if (signal.exitCode !== 0)
      throw new Error(`tcpdump on the TPM bus did not take SIGUSR1: ${signal.stderr.trim()}`);
    const line = await waitUntil(
      async () => {
        const lines = await countLines();
        return lines.length > before ? lines[lines.length - 1] : undefined;
      },
      {
        what: "tcpdump's packet counts on the TPM bus",
        expected: 'printed after SIGUSR1',
        timeoutMs: 15_000,
        intervalMs: 200,
      },
    );
    return Number(droppedLine.exec(line)?.[1] ?? '0');
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
