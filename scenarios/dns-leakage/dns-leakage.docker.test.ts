import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import dnsLeakage from './dns-leakage.ts';

describeScenario(dnsLeakage);
