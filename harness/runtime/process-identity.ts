import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Identifies a process across time: host, pid and the kernel's start time of that pid, so that a
 * reused pid is not mistaken for the process that owned a run.
 */
export interface ProcessIdentity {
  host: string;
  pid: number;
  startTicks: string;
}

function startTicksOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after its closing paren are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

export function currentProcessIdentity(): ProcessIdentity {
  return { host: hostname(), pid: process.pid, startTicks: startTicksOf(process.pid) ?? '0' };
}

export function formatIdentity(identity: ProcessIdentity): string {
  return `${identity.host}/${identity.pid}/${identity.startTicks}`;
}

export function parseIdentity(text: string): ProcessIdentity | undefined {
  const match = /^(.+)\/(\d+)\/(\d+)$/.exec(text);
  if (match === null) return undefined;
  return { host: match[1] ?? '', pid: Number(match[2]), startTicks: match[3] ?? '' };
}

/**
 * Whether the owner process is gone. Owners on another host cannot be checked from here and are
 * treated as alive: only `sovh down --all` removes their resources.
 */
export function isOwnerDead(owner: ProcessIdentity): boolean {
  if (owner.host !== hostname()) return false;
  const ticks = startTicksOf(owner.pid);
  return ticks === undefined || ticks !== owner.startTicks;
}
