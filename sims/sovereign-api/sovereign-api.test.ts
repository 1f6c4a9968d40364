import { describe, expect, it } from 'vitest';
import { StartedContainer } from '../../harness/runtime/started-container.ts';
import type { PlacedHost } from '../../harness/topology/topology-validator.ts';
import { sovereignApiOptions, StartedSovereignApi } from './sovereign-api.ts';

const host = (zone: string): PlacedHost => ({ name: `h-${zone}`, zone, machine: `m-${zone}` });
// siteSection reads no container: the site file is made from what the endpoint knows of itself.
const noContainer = Object.create(StartedContainer.prototype) as StartedContainer;

function api(options: Record<string, unknown>) {
  return new StartedSovereignApi(
    'keys',
    'sovereign-a',
    '10.44.0.3',
    noContainer,
    sovereignApiOptions.parse(options),
    'PEM',
    {},
  );
}

describe('a sovereign API in the site file', () => {
  it('is listed for hosts of its zone and of the zones it serves, and for no other', () => {
    const endpoint = api({ servesZones: ['sovereign-b'] });
    expect(endpoint.siteSection(host('sovereign-a'))).toEqual({
      sovereignApis: [{ name: 'keys', address: '10.44.0.3', port: 443, caCertificate: 'PEM' }],
    });
    expect(endpoint.siteSection(host('sovereign-b'))).toHaveProperty('sovereignApis');
    expect(endpoint.siteSection(host('foreign'))).toEqual({});
  });

  it('names its relay port behind the gate and its zone as a key service', () => {
    const section = api({
      gateBackend: true,
      zoneKey: { keyId: 'k1', clientCidrs: ['10.44.0.0/16'] },
    }).siteSection(host('sovereign-a'));
    expect(section).toMatchObject({
      sovereignApis: [{ gateRelayPort: 444 }],
      envelope: { keyService: 'keys', zone: 'sovereign-a' },
    });
  });

  it('rejects options it does not know and versions it cannot offer', () => {
    expect(sovereignApiOptions.safeParse({ tlsVersions: ['TLSv1.1'] }).success).toBe(false);
    expect(sovereignApiOptions.safeParse({ tls: '1.3' }).success).toBe(false);
  });
});
