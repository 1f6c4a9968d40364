import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import egressThroughput from './egress-throughput.ts';

describeScenario(egressThroughput);
