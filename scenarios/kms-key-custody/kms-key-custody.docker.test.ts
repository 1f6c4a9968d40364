import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import kmsKeyCustody from './kms-key-custody.ts';

describeScenario(kmsKeyCustody);
