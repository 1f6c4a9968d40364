import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import dnsNoSovereignResolver from './dns-no-sovereign-resolver.ts';

describeScenario(dnsNoSovereignResolver);
