import type { LoadRequest } from '../../harness/checks/probes/store-load.ts';

/** A store request that was served: a write stored or a read answered. */
export function served(r: LoadRequest): boolean {
  return r.status === 200 || r.status === 201;
}

/** Requests as "OP object +ms status", timed from `since` (epoch ms), for a check's evidence. */
export function timeline(requests: readonly LoadRequest[], since: number): string {
  return requests
    .map((r) => `${r.op} ${r.objectId} +${Math.round(r.atMs - since)}ms ${r.status}`)
    .join(', ');
}
