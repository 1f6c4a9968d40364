import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import bgpRouteRevocation from './bgp-route-revocation.ts';

describeScenario(bgpRouteRevocation);
