import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import dnsLeakageIpv6 from './dns-leakage-ipv6.ts';

describeScenario(dnsLeakageIpv6);
