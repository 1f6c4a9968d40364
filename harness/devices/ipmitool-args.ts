import { defaultCipherSuite, parseIpmiAddress, type RealBmcProfile } from './device-profile.ts';

/**
 * How the harness opens an IPMI 2.0 (RMCP+, `-I lanplus`) session to a BMC with ipmitool: one
 * function for every read the harness makes itself (sovh parity, sovh certify), so that they all
 * log in the same way.
 */

/** Where and as whom a lanplus session logs in; the password is not part of it (see below). */
export interface LanplusLogin {
  host: string;
  port: number;
  user: string;
  /** The RMCP+ cipher suite id (`-C`). */
  cipherSuite: number;
}

/** The environment variable ipmitool reads the password from with `-E`. */
export const ipmiPasswordVariable = 'IPMI_PASSWORD';

/** The login of a real BMC of a profile: its address (port 623 by default) and cipher suite (3 by default). */
export function lanplusLogin(bmc: RealBmcProfile): LanplusLogin {
  const address = parseIpmiAddress(bmc.ipmi);
  if (address === undefined) throw new Error(`bad IPMI address ${bmc.ipmi}`);
  return { ...address, user: bmc.user, cipherSuite: bmc.cipherSuite ?? defaultCipherSuite };
}

/**
 * ipmitool's arguments up to the command (`mc info`, `sdr ...`). The cipher suite is always
 * given: without `-C` ipmitool first asks the BMC for its list of suites, which costs a round of
 * retries (about 10 s) on a BMC that does not answer that query, ipmi_sim among them. The password
 * goes in ipmitool's environment (`-E`, {@link ipmiPasswordVariable}), never on a command line
 * that `ps` would show. `-N 2 -R 3`: 2 s per try, 3 tries, so a BMC that does not answer is named
 * in seconds.
 */
export function lanplusArguments(login: LanplusLogin): string[] {
  return [...sessionArguments(login), '-N', '2', '-R', '3'];
}

function sessionArguments(login: LanplusLogin): string[] {
  return [
    '-I',
    'lanplus',
    '-C',
    String(login.cipherSuite),
    '-H',
    login.host,
    '-p',
    String(login.port),
    '-U',
    login.user,
    '-E',
  ];
}

/** The command as messages quote it: "ipmitool -I lanplus -C 3 -H 10.99.0.4 -p 623 -U labadmin -E mc info". */
export function lanplusCommandText(login: LanplusLogin, command: readonly string[]): string {
  return ['ipmitool', ...sessionArguments(login), ...command].join(' ');
}
