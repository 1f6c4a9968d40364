/**
 * The sections of the contract (images/host/CONTRACT.md) a stack can implement. A stack declares
 * the ones it implements (the image label below, or `sections` in sovh.config.ts); a scenario
 * states the ones it needs, and one that needs an undeclared section is "not applicable: stack
 * does not implement <section>" (a failure with --strict). "How the harness runs a host" and the
 * site file are not sections: every stack honours them.
 */
export const contractSections = {
  'boot-binding': 'Boot binding: the KEK sealed to the TPM and PCR 7, LOCALIZATION_MISMATCH',
  store: 'The store API on store.port, objects at rest as AES-256-GCM ciphertext',
  tls13: 'Sovereign APIs and TLS 1.3: no session below TLS 1.3 toward a sovereign API',
  'geo-gate': 'The GeoIP gate: sessions relayed only between domestic addresses',
  envelope: 'The sovereign envelope: payloads sealed under the zone key',
  kms: 'Key management: the data key from the local KMS over KMIP',
  hsm: "The cell's HSM: the data key unwrapped only by it, fail closed without it",
  audit: 'Audit watch and Log-Or-Die',
  egress: 'The egress fence: nothing leaves but domestic and named sovereign destinations',
  dns: 'DNS: names resolve through sovereign resolvers only',
  immutability: 'resolv.conf and the fence rules immutable while the stack runs',
  monitoring: 'Inbound and pull-only monitoring: no port accepts foreign sources',
  routing: 'Routing over BGP: domestic prefixes only, withdrawals fail closed',
  thermal: 'Thermal watch: alarm outside the operating range, act at the critical point',
  power: 'Power watch and the graceful residency shutdown: keys wiped on low battery',
} as const;

export type ContractSection = keyof typeof contractSections;

export const contractSectionNames = Object.keys(contractSections) as ContractSection[];

/** The image label through which a stack image declares the sections it implements. */
export const contractSectionsLabel = 'dev.sovh.contract-sections';

export function isContractSection(name: string): name is ContractSection {
  return Object.hasOwn(contractSections, name);
}

/**
 * Reads a comma-separated list of sections (the label's value). Unknown names are returned apart,
 * so that the caller can name them with the fix. There is no "all": a stack names what it
 * implements, so that a section added to the contract later is not claimed unseen.
 */
export function parseContractSections(text: string): {
  sections: ContractSection[];
  unknown: string[];
} {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const sections = [...new Set(names.filter(isContractSection))];
  return { sections, unknown: names.filter((n) => !isContractSection(n)) };
}
