import type { StartedContainer } from '../../harness/runtime/started-container.ts';

/** The harness's counter: its own table in the host's namespace, never one of the stack's. */
const watchTable = 'sovh_kms_attempts';

/**
 * Counts every packet the machine's namespace sends toward `address:port`: a chain of the
 * harness's own (the observer's nft) on the output hook at priority -400, ahead of connection
 * tracking and of any fence of the stack's, so an attempt the fence drops is counted too. With
 * `refuse`, each such packet is also answered with a TCP reset in the namespace: to the host the
 * server refuses every connection, while it goes on serving everyone else.
 */
export async function installCounter(
  probe: StartedContainer,
  address: string,
  port: number,
  { refuse = false }: { refuse?: boolean } = {},
): Promise<void> {
  await probe.run(
    [
      'sh',
      '-c',
      `nft add table inet ${watchTable} && ` +
        `nft add chain inet ${watchTable} out '{ type filter hook output priority -400 ; policy accept ; }' && ` +
        `nft add rule inet ${watchTable} out ip daddr ${address} tcp dport ${String(port)} counter${refuse ? ' reject with tcp reset' : ''}`,
    ],
    { timeoutMs: 10_000 },
  );
}

/** The packets counted so far; undefined when the counter is gone. */
export async function readCounter(probe: StartedContainer): Promise<number | undefined> {
  const listed = await probe.exec(['nft', 'list', 'chain', 'inet', watchTable, 'out'], {
    timeoutMs: 10_000,
  });
  const packets = /counter packets (\d+)/.exec(listed.stdout)?.[1];
  return listed.exitCode === 0 && packets !== undefined ? Number(packets) : undefined;
}

/** Removes the counter (and its refusal). */
export async function removeCounter(probe: StartedContainer): Promise<void> {
  await probe.exec(['nft', 'delete', 'table', 'inet', watchTable], { timeoutMs: 10_000 });
}
