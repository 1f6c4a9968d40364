import { describe, expect, it } from 'vitest';
import { bmcProfileSchema, type RealBmcProfile } from './device-profile.ts';
import { lanplusArguments, lanplusCommandText, lanplusLogin } from './ipmitool-args.ts';

const realBmc = (value: Record<string, unknown>): RealBmcProfile => {
  const parsed = bmcProfileSchema.parse({
    user: 'labadmin',
    passwordEnv: 'LAB_BMC_PASSWORD',
    ...value,
  });
  if (parsed === 'sim') throw new Error('a real BMC was meant');
  return parsed;
};

describe('ipmitool lanplus arguments', () => {
  it("passes the profile's cipher suite with -C, and 3 when the profile gives none", () => {
    const given = lanplusArguments(
      lanplusLogin(realBmc({ ipmi: '10.99.0.4:6230', cipherSuite: 17 })),
    );
    expect(given.join(' ')).toBe('-I lanplus -C 17 -H 10.99.0.4 -p 6230 -U labadmin -E -N 2 -R 3');
    const defaulted = lanplusArguments(lanplusLogin(realBmc({ ipmi: '10.99.0.4' })));
    expect(defaulted.slice(0, 4)).toEqual(['-I', 'lanplus', '-C', '3']);
    expect(defaulted).toContain('623');
  });

  it('never puts the password on the command line: -E reads it from the environment', () => {
    const args = lanplusArguments({ host: '10.0.0.1', port: 623, user: 'u', cipherSuite: 3 });
    expect(args).toContain('-E');
    expect(args).not.toContain('-P');
  });

  it('quotes the command for messages without the retry options', () => {
    expect(
      lanplusCommandText({ host: '10.0.0.1', port: 623, user: 'u', cipherSuite: 3 }, [
        'mc',
        'info',
      ]),
    ).toBe('ipmitool -I lanplus -C 3 -H 10.0.0.1 -p 623 -U u -E mc info');
  });
});
