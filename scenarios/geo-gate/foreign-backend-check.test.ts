import { describe, expect, it } from 'vitest';
import type { TcpProbe } from '../../harness/checks/probes/tcp-probe.ts';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import { foreignBackendRefusesBoot } from './foreign-backend-check.ts';
import { foreignBackendBoot, type ForeignBackendBootObservation } from './foreign-backend.ts';

const host = '10.52.0.4';
const refused = (port: number): TcpProbe => ({
  from: 'observer-sovereign-fr',
  target: `${host}:${port}`,
  connected: false,
  detail: 'bash: connect: Connection refused',
});
const accepted = (port: number): TcpProbe => ({
  ...refused(port),
  connected: true,
  detail: 'connection accepted',
});

function observation(change: Partial<ForeignBackendBootObservation> = {}) {
  return {
    host: 'gate2',
    backend: 'api-abroad',
    store: refused(8443),
    gate: refused(9443),
    session: {
      zone: 'sovereign-fr',
      clientAddress: '10.52.0.2',
      calledAddress: host,
      destination: 'host' as const,
      reached: refused(9443),
      ok: false,
      detail: 'curl: (7) Failed to connect',
      command: 'curl',
    },
    fenceLines: [
      'GEOGRAPHIC_FENCE_ERROR: gate backends outside the domestic CIDRs: api-abroad; sovereign services not started',
    ],
    relayedByHost: [],
    ...change,
  };
}

async function status(o?: ForeignBackendBootObservation) {
  const h = new History();
  if (o !== undefined) h.record('observation', foreignBackendBoot.name, o);
  return (await checkStatuses([foreignBackendRefusesBoot], h))['foreign-backend-refuses-boot'];
}

describe('foreign-backend-refuses-boot', () => {
  it('passes a refused boot: ports closed, nothing relayed, the backend named', async () => {
    expect(await status(observation())).toBe('pass');
  });

  it('fails a gate that warned and served, and a refusal that names nothing', async () => {
    expect(await status(observation({ gate: accepted(9443), store: accepted(8443) }))).toBe('fail');
    expect(await status(observation({ fenceLines: [] }))).toBe('fail');
    const relayed = {
      outcome: 'accepted' as const,
      client: host,
      relayedClient: '10.52.0.2',
      relayedServer: host,
      port: 444,
      protocol: 'TLSv1.3',
      reason: '',
      line: `10.52.0.2 -> ${host}`,
    };
    expect(await status(observation({ relayedByHost: [relayed] }))).toBe('fail');
  });

  it('is unknown when the probes got no answer at all, or nothing was observed', async () => {
    const silent = { ...refused(8443), detail: 'no answer within 3s' };
    expect(await status(observation({ store: silent }))).toBe('unknown');
    expect(await status()).toBe('unknown');
  });
});
