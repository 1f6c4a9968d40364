import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import tls13Only from './tls13-only.ts';

describeScenario(tls13Only);
