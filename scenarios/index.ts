import type { Scenario } from '../harness/scenario/scenario.ts';
import bootBinding from './boot-binding/boot-binding.ts';
import tls13Only from './tls13-only/tls13-only.ts';
import geoGate from './geo-gate/geo-gate.ts';
import sovereignEnvelope from './sovereign-envelope/sovereign-envelope.ts';
import encapsulationCheck from './encapsulation-check/encapsulation-check.ts';
import vlanSegments from './vlan-segments/vlan-segments.ts';
import ipsecTunnel from './ipsec-tunnel/ipsec-tunnel.ts';
import egressDefaultDeny from './egress-default-deny/egress-default-deny.ts';
import egressIpv6 from './egress-ipv6/egress-ipv6.ts';
import dnsLeakage from './dns-leakage/dns-leakage.ts';
import dnsLeakageIpv6 from './dns-leakage-ipv6/dns-leakage-ipv6.ts';
import dnsNoSovereignResolver from './dns-no-sovereign-resolver/dns-no-sovereign-resolver.ts';
import configImmutability from './config-immutability/config-immutability.ts';
import pullOnlyMonitoring from './pull-only-monitoring/pull-only-monitoring.ts';
import routeLeak from './route-leak/route-leak.ts';
import bgpRouteRevocation from './bgp-route-revocation/bgp-route-revocation.ts';
import linkLatency from './link-latency/link-latency.ts';
import egressThroughput from './egress-throughput/egress-throughput.ts';
import kmsKeyCustody from './kms-key-custody/kms-key-custody.ts';
import kmsImpostor from './kms-impostor/kms-impostor.ts';
import hsmCableCut from './hsm-cable-cut/hsm-cable-cut.ts';
import auditWatch from './audit-watch/audit-watch.ts';
import logOrDie from './log-or-die/log-or-die.ts';
import cellBlastRadius from './cell-blast-radius/cell-blast-radius.ts';
import thermalExcursion from './thermal-excursion/thermal-excursion.ts';
import thermalWatchAtRest from './thermal-watch-at-rest/thermal-watch-at-rest.ts';
import coolingFailure from './cooling-failure/cooling-failure.ts';
import powerFailureKeyWipe from './power-failure-key-wipe/power-failure-key-wipe.ts';
import powerRestore from './power-restore/power-restore.ts';
import upsForcedShutdown from './ups-forced-shutdown/ups-forced-shutdown.ts';

/** Every scenario of the suite, in the order `sovh run` runs them. */
export const scenarios: readonly Scenario[] = [
  bootBinding,
  tls13Only,
  geoGate,
  sovereignEnvelope,
  encapsulationCheck,
  vlanSegments,
  ipsecTunnel,
  egressDefaultDeny,
  egressIpv6,
  dnsLeakage,
  dnsLeakageIpv6,
  dnsNoSovereignResolver,
  configImmutability,
  pullOnlyMonitoring,
  routeLeak,
  bgpRouteRevocation,
  linkLatency,
  egressThroughput,
  kmsKeyCustody,
  kmsImpostor,
  hsmCableCut,
  auditWatch,
  logOrDie,
  cellBlastRadius,
  thermalExcursion,
  thermalWatchAtRest,
  coolingFailure,
  powerFailureKeyWipe,
  powerRestore,
  upsForcedShutdown,
];
