import { addressInCidr, parseAddress, parseCidr } from './cidr.ts';
import { address6InCidrs } from './cidr6.ts';

/**
 * Whether an address text, IPv4 or IPv6, lies in one of the CIDR texts of its own family (a list
 * may mix both, as a dual-stack zone's ranges do). Anything that is not an address is outside.
 */
export function addressInAnyCidr(address: string, cidrs: readonly string[]): boolean {
  const ipv4 = parseAddress(address);
  if (ipv4 === undefined) return address6InCidrs(address, cidrs);
  return cidrs.some((text) => {
    const cidr = parseCidr(text);
    return typeof cidr !== 'string' && addressInCidr(ipv4, cidr);
  });
}
