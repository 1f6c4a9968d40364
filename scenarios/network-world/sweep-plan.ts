/**
 * What the sweep sends toward a foreign address beyond the listeners' ports: every well-known port
 * over TCP and UDP, the registered ports a fence is asked to open for a host's own services
 * (VPNs and tunnels, mail, syslog over TLS, log shippers, metrics, NFS, STUN/TURN), and the IP
 * protocols of tunnels and of IPsec (IPIP 4, IPv6-in-IPv4 41, GRE 47, ESP 50, AH 51, SCTP 132).
 * A fence that lets one of them out to anywhere is caught by the exchange's capture.
 */
const sweepPorts = [
  ...Array.from({ length: 1024 }, (_, i) => i + 1),
  1194,
  1701,
  1723,
  2049,
  3478,
  4500,
  4789,
  5044,
  5349,
  6081,
  6514,
  8080,

  9092,
  9200,
  9300,
  9090,

  10050,
  10051,
  51820,
];
const sweepIpProtocols = [4, 41, 47, 50, 51, 132];
/** About a second for the whole sweep: cheap, and within the sender's queues. */
const sweepPerSecond = 2_000;

/** One packet per port over TCP and UDP, and per IP protocol, toward an address of the caller's. */
export const sweepPlan = {
  tcpPorts: sweepPorts,
  udpPorts: sweepPorts,
  ipProtocols: sweepIpProtocols,
  perSecond: sweepPerSecond,
} as const;
