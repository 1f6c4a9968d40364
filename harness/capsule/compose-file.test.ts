import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ContainerRecord } from '../runtime/container-record.ts';
import type { WorldDescription } from '../world/world.ts';
import { composeFile } from './compose-file.ts';

function container(over: Partial<ContainerRecord> & { name: string }): ContainerRecord {
  return {
    image: 'sovh/x:1',
    networks: [],
    capabilities: [],
    volumes: [],
    tmpfs: {},
    env: {},
    init: false,
    sysctls: {},
    devices: [],
    files: [],
    ...over,
  };
}

const world: WorldDescription = {
  networks: [{ zone: 'sovereign', name: 'sovh-0a1b2c3d-zone-sovereign', subnet: '10.213.4.0/24' }],
  nodes: [],
  containers: [
    container({
      name: 'vm1-pod',
      image: 'sovh/pod:aa',
      node: 'vm1',
      role: 'pod',
      hostname: 'vm1',
      networks: [{ network: 'zone-sovereign', ipv4Address: '10.213.4.10', aliases: ['vm1'] }],
    }),
    container({
      name: 'vm1-host',
      image: 'sovh/host:bb',
      node: 'vm1',
      role: 'host',
      networkNamespaceOf: 'vm1-pod',
      pidNamespaceOf: 'vm1-pod',
      capabilities: ['NET_ADMIN', 'AUDIT_CONTROL'],
      volumes: [
        { source: 'vm1-disk', target: '/var/lib/sovh', readOnly: false, type: 'volume' },
        {
          source: '/var/lib/docker/volumes/x/_data/resolv.conf',
          target: '/etc/resolv.conf',
          readOnly: true,
          type: 'bind',
        },
      ],
      tmpfs: { '/run': 'rw,size=64m' },
      env: { SITE: 'eu' },
      command: ['sleep', 'infinity'],
      init: true,
      files: ['/etc/sovh/site.json'],
    }),
  ],
};

describe('composeFile', () => {
  const text = composeFile(world, {
    run: 'audit-watch [mutant m]',
    runId: '20261203-090000-abcd',
    seed: 7,
  });
  const doc = parse(text) as {
    name: string;
    services: Record<string, Record<string, unknown>>;
    networks: Record<string, Record<string, unknown>>;
    volumes: Record<string, unknown>;
  };

  it('says in its header that it has no faults or checks', () => {
    const header = text
      .split('\n')
      .filter((l) => l.startsWith('#'))
      .join('\n');
    expect(header).toMatch(/no faults, no schedule and no checks/);
    expect(header).toMatch(/audit-watch \[mutant m\] \(run 20261203-090000-abcd, seed 7\)/);
  });

  it('makes every zone an internal network with its recorded subnet', () => {
    expect(doc.networks).toEqual({
      'zone-sovereign': {
        internal: true,
        ipam: { config: [{ subnet: '10.213.4.0/24' }] },
        labels: { 'sovh.zone': 'sovereign' },
      },
    });
  });

  it('makes a dual-stack zone an IPv6-enabled network with both recorded subnets', () => {
    const dual = parse(
      composeFile(
        {
          ...world,
          networks: [
            {
              zone: 'sovereign',
              name: 'sovh-0a1b2c3d-zone-sovereign',
              subnet: '10.213.4.0/24',
              subnet6: 'fd5a:40::/64',
            },
          ],
        },
        { run: 'egress-ipv6', runId: 'r' },
      ),
    ) as { networks: Record<string, Record<string, unknown>> };
    expect(dual.networks['zone-sovereign']).toMatchObject({
      enable_ipv6: true,
      ipam: { config: [{ subnet: '10.213.4.0/24' }, { subnet: 'fd5a:40::/64' }] },
    });
  });

  it('gives each container its image, address, capabilities by name, and never privileged', () => {
    const pod = doc.services['vm1-pod'];
    expect(pod?.image).toBe('sovh/pod:aa');
    expect(pod?.networks).toEqual({
      'zone-sovereign': { ipv4_address: '10.213.4.10', aliases: ['vm1'] },
    });
    const host = doc.services['vm1-host'];
    expect(host?.cap_add).toEqual(['AUDIT_CONTROL', 'NET_ADMIN']);
    for (const service of Object.values(doc.services)) expect(service.privileged).toBe(false);
    expect(text).not.toMatch(/privileged: true/);
  });

  it('shares namespaces as services and declares the named volumes', () => {
    const host = doc.services['vm1-host'];
    expect(host?.network_mode).toBe('service:vm1-pod');
    expect(host?.pid).toBe('service:vm1-pod');
    expect(host?.networks).toBeUndefined();
    expect(host?.depends_on).toEqual(['vm1-pod']);
    expect(host?.volumes).toEqual([
      { type: 'volume', source: 'vm1-disk', target: '/var/lib/sovh', read_only: false },
    ]);
    expect(doc.volumes).toEqual({ 'vm1-disk': {} });
    expect(host?.tmpfs).toEqual(['/run:rw,size=64m']);
    expect(host?.['x-sovh-files']).toEqual(['/etc/sovh/site.json']);
    expect(host?.['x-sovh-not-bound']).toEqual(['/etc/resolv.conf']);
  });

  it('names the project after the run in its header, not in a `name` key that Compose v1 refuses', () => {
    expect(doc.name).toBeUndefined();
    expect(text).toContain('docker compose -p sovh-20261203-090000-abcd -f compose.yaml up -d');
  });
});
