import { randomBytes } from 'node:crypto';
import type { StartedContainer } from '../../harness/runtime/started-container.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import type { World } from '../../harness/world/world.ts';
import { upsdPort, type StartedUps } from '../../sims/ups/ups.ts';
import { statusRequests, upsPolls, type UpsPolls } from './ups-polls.ts';

const capturePath = '/tmp/upsd.pcap';

/**
 * Watches upsd's port from inside the UPS's network namespace (a harness container joins it with
 * tcpdump, like a tap on the UPS's network card), so the harness sees when the host's monitor
 * polls the UPS without asking the host or trusting its configuration.
 */
export class UpsPollCapture {
  private constructor(
    private readonly container: StartedContainer,
    private readonly ups: StartedUps,
    private readonly host: { name: string; address: string },
    readonly startedAtMs: number,
  ) {}

  /** Taps `ups` to see the polls of `host` (its address is taken now: it outlives the host). */
  static async start(world: World, ups: StartedUps, host: HostVm): Promise<UpsPollCapture> {
    const watched = { name: host.name, address: host.address };
    const container = await world.session
      .container(world.images.observer, `upspolls-${ups.name}-${randomBytes(2).toString('hex')}`)
      .withNode(`upspolls-${ups.name}`, 'forensics')
      .withNetworkNamespaceOf(ups.container)
      .withCapabilities('NET_RAW', 'NET_ADMIN')
      .withCommand([
        'tcpdump',
        '-i',
        'any',
        '-U',
        // Each packet to the file as it arrives, so a read at the end of the outage holds them all.
        '--immediate-mode',
        '-s',
        '0',
        '-w',
        capturePath,
        'tcp',
        'port',
        String(upsdPort),
      ])
      .withStartupCheck((c) => c.waitForLog(/listening on any/, 30_000).then(() => undefined))
      .start();
    return new UpsPollCapture(container, ups, watched, Date.now());
  }

  /** Reads the capture so far and records the host's status polls ('ups-polls'). */
  async observe(context: ScenarioContext): Promise<UpsPolls> {
    const host = this.host;
    const until = Date.now();
    const pcap = await this.container.readFile(capturePath);
    const { polls, requests } = statusRequests(pcap, {
      upsName: this.ups.options.upsName,
      port: upsdPort,
    });
    const otherRequests = [...requests]
      .filter(([source]) => source !== host.address)
      .reduce((sum, [, count]) => sum + count, 0);
    return context.observe(upsPolls, {
      ups: this.ups.name,
      upsName: this.ups.options.upsName,
      host: host.name,
      hostAddress: host.address,
      pollIntervalMs: this.ups.options.pollFrequencyS * 1_000,
      captureFromMs: this.startedAtMs,
      captureUntilMs: until,
      hostPolls: polls.filter((p) => p.source === host.address).map((p) => p.atMs),
      otherRequests,
    });
  }

  async stop(): Promise<void> {
    await this.container.remove();
  }
}
