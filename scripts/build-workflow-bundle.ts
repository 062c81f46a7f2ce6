// `npm run build:workflows [TARGET]`: pre-builds the workflow bundle (default dist/workflow-bundle.js)
// for workers started with WORKFLOW_BUNDLE_PATH.
import { resolve } from 'node:path';
import { writeWorkflowBundle } from '../workers/workflow-bundle';

writeWorkflowBundle(resolve(process.argv[2] ?? 'dist/workflow-bundle.js')).then(
  (target) =>
    console.log(`workflow bundle written to ${target} (start workers with WORKFLOW_BUNDLE_PATH=${target})`),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
