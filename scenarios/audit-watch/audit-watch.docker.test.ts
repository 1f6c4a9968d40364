import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import auditWatch from './audit-watch.ts';

describeScenario(auditWatch);
