import { describeScenario } from '../../harness/testing/scenario-suite.ts';
import kmsImpostor from './kms-impostor.ts';

describeScenario(kmsImpostor);
