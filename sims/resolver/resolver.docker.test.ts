import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSimLab, openSimLab, type SimLab } from '../../harness/testing/sim-lab.ts';
import { asResolver, resolverKind, resolverOptions, type StartedResolver } from './resolver.ts';

describe('the resolver simulator (unbound) and its outage', () => {
  let lab: SimLab;
  let resolver: StartedResolver;
  const dig = async (name: string) =>
    (
      await lab.observer.exec(['dig', '+time=1', '+tries=1', `@${resolver.address}`, name, 'A'], {
        timeoutMs: 15_000,
      })
    ).stdout;

  beforeAll(async () => {
    lab = await openSimLab({
      name: 'resolver',
      simImage: resolverKind.image,
      subnets: ['10.251.37.0/24', '10.251.38.0/24', '10.251.39.0/24'],
    });
    const options = resolverOptions.parse({
      role: 'sovereign',
      records: { 'api.sovereign.example': '10.40.200.10' },
    });
    resolver = asResolver(
      await resolverKind.start({
        session: lab.session,
        image: lab.image,
        service: { name: 'dns1', kind: 'resolver', zone: 'lab', legs: [], options },
        network: { name: lab.network.name, address: lab.address(3) },
        legs: [],
        links: [],
        addressOf: () => '',
        hosts: [],
      }),
    );
  });

  afterAll(async () => {
    await closeSimLab(lab);
  });

  it('answers from its records and logs the query with its client', async () => {
    expect(await dig('api.sovereign.example')).toMatch(/status: NOERROR[\s\S]*10\.40\.200\.10/);
    expect(await resolver.queriesFrom([`${lab.address(2)}/32`])).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'api.sovereign.example.' })]),
    );
  });

  it('answers nothing and logs nothing while down, and answers again once healed', async () => {
    await resolver.stopAnswering();
    expect(await dig('during.outage.example')).not.toMatch(/status:/);
    expect((await resolver.queries()).map((q) => q.name)).not.toContain('during.outage.example.');
    await resolver.answerAgain();
    expect(await dig('after.outage.example')).toMatch(/status: NXDOMAIN/);
  });
});
