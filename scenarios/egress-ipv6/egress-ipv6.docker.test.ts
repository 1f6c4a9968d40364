import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import egressIpv6 from './egress-ipv6.ts';

describeScenario(egressIpv6);
