// Entry of the simulator's own process in the benchmark, so the simulator's CPU (building RFC822
// content) is not charged to the crawl under test. Options arrive as one JSON argument.
import { startSimulator, type SimulatorOptions } from '../simulator';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as SimulatorOptions;
  const sim = await startSimulator(options);
  process.stdout.write(JSON.stringify({ ready: true, url: sim.url, foreignUrl: sim.foreignUrl }) + '\n');
  const stop = () => void sim.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`simulator failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
