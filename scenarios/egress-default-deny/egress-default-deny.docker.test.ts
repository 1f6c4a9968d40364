import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import egressDefaultDeny from './egress-default-deny.ts';

describeScenario(egressDefaultDeny);
