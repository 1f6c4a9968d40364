import { SovhError } from '../util/sovh-error.ts';

export interface TopologyProblem {
  /** Where in the topology, e.g. "hosts[1].machine". */
  path: string;
  problem: string;
  fix: string;
}

export class TopologyError extends SovhError {
  constructor(
    readonly problems: TopologyProblem[],
    source = 'topology',
  ) {
    super(
      'TOPOLOGY_INVALID',
      `${source} is not valid:\n` +
        problems.map((p) => `  - ${p.path}: ${p.problem}; ${p.fix}`).join('\n'),
      { details: { problems } },
    );
  }
}
