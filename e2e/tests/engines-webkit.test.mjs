// The panel's paths (engines/scenarios.mjs, written once) in webkit; see engines/README.md.
import { runEngine } from '../engines/run.mjs';

runEngine('webkit');
