import type { StartedContainer } from '../../runtime/started-container.ts';

/**
 * Packets the machine's kernel itself dropped on receive because a CPU's backlog was full: the
 * second column of /proc/net/softnet_stat (hexadecimal, one row per CPU). The table is the whole
 * kernel's, read from any container, so a rise while a measurement ran says that the machine
 * (another test's burst, a starved softirq) lost packets, not the path being measured.
 */
export function parseSoftnetDrops(table: string): number {
  let drops = 0;
  for (const line of table.split('\n')) {
    const [processed, dropped] = line.trim().split(/\s+/);
    const counter = /^[0-9a-f]{8}$/i;
    if (counter.test(processed ?? '') && counter.test(dropped ?? ''))
      drops += Number.parseInt(dropped ?? '0', 16);
  }
  return drops;
}

/** The machine's backlog drops so far, read through a container of the run. */
export async function softnetDrops(from: StartedContainer): Promise<number> {
  const result = await from.exec(['cat', '/proc/net/softnet_stat'], { timeoutMs: 10_000 });
  if (result.exitCode !== 0)
    throw new Error(`cannot read /proc/net/softnet_stat in ${from.nodeName}: ${result.stderr}`);
  return parseSoftnetDrops(result.stdout);
}

/**
 * Datagrams a network namespace's kernel dropped because a UDP socket's receive buffer was full
 * (RcvbufErrors of the Udp table in /proc/net/snmp): the receiving program did not read in time.
 */
export function parseUdpReceiveBufferErrors(snmp: string): number {
  const [header, values] = snmp.split('\n').filter((line) => line.startsWith('Udp: '));
  if (header === undefined || values === undefined) return 0;
  const column = header.split(/\s+/).indexOf('RcvbufErrors');
  const value = Number(values.split(/\s+/)[column]);
  return column > 0 && Number.isFinite(value) ? value : 0;
}

/** The UDP receive-buffer drops so far in the network namespace of a container of the run. */
export async function udpReceiveBufferErrors(from: StartedContainer): Promise<number> {
  const result = await from.exec(['cat', '/proc/net/snmp'], { timeoutMs: 10_000 });
  if (result.exitCode !== 0)
    throw new Error(`cannot read /proc/net/snmp in ${from.nodeName}: ${result.stderr}`);
  return parseUdpReceiveBufferErrors(result.stdout);
}

/**
 * Packets an NFQUEUE program never got to judge, summed over the namespace's queues: dropped
 * because the queue was full (queue_dropped) or because the message to the program did not fit
 * its socket (user_dropped), the 6th and 7th columns of /proc/net/netfilter/nfnetlink_queue.
 */
export function parseNfqueueDrops(table: string): number {
  let drops = 0;
  for (const line of table.split('\n')) {
    const columns = line.trim().split(/\s+/).map(Number);
    if (columns.length >= 7 && columns.every(Number.isInteger))
      drops += (columns[5] ?? 0) + (columns[6] ?? 0);
  }
  return drops;
}

/** NFQUEUE drops so far in the network namespace of a container (0 when no queue is bound). */
export async function nfqueueDrops(from: StartedContainer): Promise<number> {
  const result = await from.exec(['cat', '/proc/net/netfilter/nfnetlink_queue'], {
    timeoutMs: 10_000,
  });
  return result.exitCode === 0 ? parseNfqueueDrops(result.stdout) : 0;
}
