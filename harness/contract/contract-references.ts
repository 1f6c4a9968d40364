import { hostPaths } from './host-paths.ts';
import { hostPorts } from './host-ports.ts';
import { logMarkers } from './log-markers.ts';

/** Where a host path of the contract starts: a literal under one of these is a host path. */
const hostPathRoots = [
  '/var/lib/residency',
  '/data/',
  '/etc/residency',
  '/etc/resolv.conf',
  '/etc/iptables',
  '/etc/key-management',
  '/etc/pki/sovereign',
  '/etc/audit',
  '/run/residency',
  '/run/hsm',
  '/var/log/audit',
  '/var/log/hsm',
  '/var/log/messages',
];

/**
 * Phrases only the reference stack says or tools only it ships: a scenario that waits for or runs
 * them cannot judge another stack. The commands the contract names as stack operations
 * (residency-api, residency-envelope) are spelled only in stack-operations.ts: a scenario reaches
 * them through that module, with their schemas, never by name.
 */
export const referenceOnlyPhrases = [
  'egress fence loaded',
  'store serving',
  'resolv.conf:',
  'residency-api',
  'residency-envelope',
  'haproxy.sock',
] as const;

const contractPaths = new Set<string>(Object.values(hostPaths));
const contractDirs: readonly string[] = [
  hostPaths.storeDir,
  hostPaths.runKeysDir,
  hostPaths.auditRulesDir,
  hostPaths.hsmSocketDir,
  hostPaths.auditDisk,
];
const contractMarkers = new Set<string>(Object.values(logMarkers));
const contractPorts = new Set<number>(Object.values(hostPorts));

/** One reference of a source file to the stack that the contract module does not hold. */
export interface ContractReference {
  kind: 'host-path' | 'log-marker' | 'port' | 'reference-only';
  text: string;
}

/** The contents of string literals, template literals and regular expressions of a TS source. */
function literalsOf(source: string): string[] {
  const found: string[] = [];
  const pattern =
    /'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`|\/((?:[^/\\\n]|\\.)+)\/[dgimsuy]*/g;
  for (const match of source.matchAll(pattern)) {
    const text = match[1] ?? match[2] ?? match[3] ?? match[4];
    if (text !== undefined) found.push(text);
  }
  return found;
}

/**
 * Upper-case words that are not stack log markers: Linux capabilities, TPM and socket type
 * names, HTTP fields, the KMIP client configuration keys the contract names, and ipmitool's
 * password variable.
 */
const notAMarker =
  /^(?:CAP_|NET_|SYS_|AUDIT_(?:CONTROL|READ|WRITE)$|LINUX_|IPC_|TPM2B?_|AF_|SOCK_|HTTP_|KMIP_SERVER_ADDRESS$|CERT_PATH$|KEY_PATH$|CA_PATH$|IPMI_PASSWORD$)/;

/** The harness's own error codes in a source (`new SovhError('CODE'`, `code: 'CODE'`). */
function harnessCodesOf(code: string): Set<string> {
  const codes = new Set<string>();
  const pattern = /(?:SovhError\(\s*|isSovhError\([^,()]+,\s*|code:\s*)'([A-Z][A-Z0-9_]*)'/g;
  for (const match of code.matchAll(pattern)) if (match[1] !== undefined) codes.add(match[1]);
  return codes;
}

function isCoveredPath(path: string): boolean {
  const trimmed = path.replace(/[)\],.;:]+$/, '');
  if (contractPaths.has(trimmed)) return true;
  // A file under a directory whose files the contract describes (store objects, rule files).
  return contractDirs.some((dir) => trimmed.startsWith(`${dir}/`));
}

/**
 * What a source file says of the stack that the contract module does not hold: host paths that
 * are not the contract's (nor under a directory it names), upper-case log markers it does not
 * list, the contract's ports spelled as numbers, and phrases only the reference stack uses.
 * Comments are not read.
 */
export function contractReferences(source: string): ContractReference[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  const references: ContractReference[] = [];
  const ownCodes = harnessCodesOf(code);
  for (const literal of literalsOf(code)) {
    for (const match of literal.matchAll(/\/[A-Za-z0-9_./-]+/g)) {
      const path = match[0];
      const underRoot = hostPathRoots.some((root) =>
        root.endsWith('/') ? path.startsWith(root) : path === root || path.startsWith(`${root}/`),
      );
      if (underRoot && !isCoveredPath(path)) references.push({ kind: 'host-path', text: path });
    }
    for (const match of literal.matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g)) {
      const token = match[0];
      if (!contractMarkers.has(token) && !ownCodes.has(token) && !notAMarker.test(token))
        references.push({ kind: 'log-marker', text: token });
    }
    for (const phrase of referenceOnlyPhrases) {
      if (literal.includes(phrase)) references.push({ kind: 'reference-only', text: phrase });
    }
  }
  for (const match of code.matchAll(/(?<![\w.])(\d{4})(?![\w.])/g)) {
    const port = Number(match[1]);
    if (contractPorts.has(port)) references.push({ kind: 'port', text: String(port) });
  }
  return references;
}
