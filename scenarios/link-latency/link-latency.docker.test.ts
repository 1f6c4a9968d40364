import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import linkLatency from './link-latency.ts';

describeScenario(linkLatency);
