// Entry of a worker process that loads a prebuilt workflow bundle (BENCH_WORKFLOW_BUNDLE) instead of
// bundling at start-up; otherwise exactly `createWorker` of workers/main.ts, configured from the environment.
import { createWorker } from '../workers/main';

async function main(): Promise<void> {
  const codePath = process.env.BENCH_WORKFLOW_BUNDLE;
  if (!codePath) throw new Error('BENCH_WORKFLOW_BUNDLE is not set');
  const worker = await createWorker({ workflowBundle: { codePath }, serveMetrics: false });
  const stop = () => worker.shutdown();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await worker.run();
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`worker failed: ${(err as Error).stack}\n`);
    process.exit(1);
  },
);
