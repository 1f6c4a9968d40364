import { describe, expect, it } from 'vitest';
import { parseQueryLog, unboundConfig } from './unbound-config.ts';

describe('unbound configuration', () => {
  it('answers only from its records and logs every query', () => {
    const config = unboundConfig({
      'api.sovereign.example': '10.40.0.9',
      'kms.sovereign.example.': '10.40.0.10',
    });
    expect(config).toContain('local-zone: "." static');
    expect(config).toContain('local-data: "api.sovereign.example. 60 IN A 10.40.0.9"');
    expect(config).toContain('local-data: "kms.sovereign.example. 60 IN A 10.40.0.10"');
    expect(config).toContain('log-queries: yes');
    expect(config).not.toMatch(/forward-zone|stub-zone/);
  });

  it('reads the queries out of the log and ignores other lines', () => {
    const log = [
      '[1795706271] unbound[1:0] notice: init module 0: iterator',
      '[1795706272] unbound[1:0] info: 10.40.0.5 api.sovereign.example. A IN',
      '[1795706273] unbound[1:0] info: 10.80.0.7 www.example. AAAA IN',
      '[1795706274] unbound[1:0] info: fd5a:40::5 api.sovereign.example. A IN',
      '[1795706275] unbound[1:0] info: api.sovereign.example. A IN',
    ].join('\n');
    expect(parseQueryLog(log)).toEqual([
      { atSeconds: 1795706272, client: '10.40.0.5', name: 'api.sovereign.example.', type: 'A' },
      { atSeconds: 1795706273, client: '10.80.0.7', name: 'www.example.', type: 'AAAA' },
      { atSeconds: 1795706274, client: 'fd5a:40::5', name: 'api.sovereign.example.', type: 'A' },
    ]);
  });

  it('listens on IPv6 only on a dual-stack network', () => {
    const ipv4 = unboundConfig({});
    expect(ipv4).toContain('do-ip6: no');
    expect(ipv4).not.toContain('::');
    const dual = unboundConfig({}, true);
    expect(dual).toContain('interface: ::0');
    expect(dual).toContain('access-control: ::/0 allow');
    expect(dual).toContain('do-ip6: yes');
    expect(dual).toContain('interface: 0.0.0.0');
  });
});
