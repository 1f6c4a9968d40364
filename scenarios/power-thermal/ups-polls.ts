import { framesOf, ipProtocols, packetTimes } from '../../harness/checks/probes/pcap-packets.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';

/**
 * What the harness saw at upsd, captured in the UPS's own network namespace (outside the stack):
 * when the host's monitor asked upsd for the UPS status, and how many requests the harness's own
 * upsc reads made (the capture's positive control: they are sent on purpose, every 250 ms).
 */
export interface UpsPolls {
  ups: string;
  /** The NUT name of the UPS (`GET VAR <name> ups.status`). */
  upsName: string;
  host: string;
  /** The host's (its machine's) address: the source of its monitor's requests. */
  hostAddress: string;
  /** The poll interval the harness's topology gives the host (site file `ups.pollFrequencyS`). */
  pollIntervalMs: number;
  captureFromMs: number;
  captureUntilMs: number;
  /** When each of the host's status requests reached upsd (epoch ms), in order. */
  hostPolls: number[];
  /** Requests with data from any other address: the harness's own upsc reads. */
  otherRequests: number;
}

export const upsPolls = observationKey<UpsPolls>('ups-polls');

/**
 * The status requests to upsd in a capture of its port: a TCP segment to `port` whose data holds
 * `GET VAR <upsName> ups.status` (what NUT's upsmon and upscli_get send for the status), with its
 * source and time; and how many other segments with data each source sent.
 */
export function statusRequests(
  pcap: Buffer,
  options: { upsName: string; port: number },
): { polls: { source: string; atMs: number }[]; requests: Map<string, number> } {
  const frames = framesOf(pcap);
  const times = packetTimes(pcap);
  const line = `GET VAR ${options.upsName} ups.status`;
  const polls: { source: string; atMs: number }[] = [];
  const requests = new Map<string, number>();
  frames.forEach((frame, index) => {
    const ip = frame.ipv4;
    if (ip?.protocol !== ipProtocols.tcp || ip.destinationPort !== options.port) return;
    if (ip.payload.length === 0) return;
    requests.set(ip.source, (requests.get(ip.source) ?? 0) + 1);
    const lines = ip.payload.toString('latin1').split('\n');
    if (lines.some((l) => l.trim() === line))
      polls.push({ source: ip.source, atMs: Math.round(times[index] ?? 0) });
  });
  return { polls, requests };
}
