/**
 * How one container of a world was started, in the world's own names (not the engine's): what a
 * compose file of the world's starting state is made from (harness/capsule/compose-file.ts).
 * Session-unique engine names are replaced by the names the world gave (`session.resourceName`'s
 * part); the files copied in before start are named, not carried.
 */
export interface ContainerRecord {
  /** The world's name of the container (`vm1-pod`, `observer-sovereign`). */
  name: string;
  image: string;
  node?: string;
  role?: string;
  hostname?: string;
  /** The networks it is attached to (the world's network names), its address and aliases. */
  networks: { network: string; ipv4Address?: string; aliases: string[] }[];
  /** The container whose network namespace it shares (a machine's pod). */
  networkNamespaceOf?: string;
  /** The container whose PID namespace it shares, or `host` for the machine's. */
  pidNamespaceOf?: string;
  capabilities: string[];
  volumes: { source: string; target: string; readOnly: boolean; type: 'volume' | 'bind' }[];
  tmpfs: Record<string, string>;
  env: Record<string, string>;
  command?: string[];
  entrypoint?: string[];
  init: boolean;
  sysctls: Record<string, string>;
  memoryBytes?: number;
  devices: string[];
  /** Paths of the files the harness copied in before start (their content is not kept). */
  files: string[];
}
