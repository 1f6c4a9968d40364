import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import sovereignEnvelope from './sovereign-envelope.ts';

describeScenario(sovereignEnvelope);
