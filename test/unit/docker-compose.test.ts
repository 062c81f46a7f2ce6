// docker-compose.yml cannot run here; this keeps it in step with the code's defaults and with the
// provisioning scripts (ports, search attributes, versions, variable names).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  DEFAULT_ELASTICSEARCH_URL,
  DEFAULT_NAMESPACE,
  DEFAULT_SIMULATOR_PORT,
  DEFAULT_TASK_QUEUE,
  DEFAULT_TEMPORAL_ADDRESS,
  TEMPORAL_UI_PORT,
} from '../../common/node/defaults';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../common/search-attributes';

const root = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
}
const compose = parse(read('docker-compose.yml')) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};
const services = compose.services;

/** The value following `flag` in an argument list. */
function flagValue(args: string[] | undefined, flag: string): string | undefined {
  const i = (args ?? []).indexOf(flag);
  return i < 0 ? undefined : args![i + 1];
}

function flagValues(args: string[] | undefined, flag: string): string[] {
  return (args ?? []).flatMap((a, i, all) => (a === flag ? [all[i + 1]] : []));
}

const temporalPort = DEFAULT_TEMPORAL_ADDRESS.split(':')[1];
const esPort = new URL(DEFAULT_ELASTICSEARCH_URL).port;

describe('docker-compose.yml', () => {
  test('has the Temporal dev server, Elasticsearch, the simulator and a worker', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['temporal', 'elasticsearch', 'simulator', 'worker']),
    );
  });

  test('runs the Temporal dev server with the ports, database file and search attributes of scripts/temporal.sh', () => {
    const cmd = services.temporal.command!;
    expect(cmd.slice(0, 2)).toEqual(['server', 'start-dev']);
    expect(flagValue(cmd, '--port')).toBe(temporalPort);
    expect(flagValue(cmd, '--ui-port')).toBe(String(TEMPORAL_UI_PORT));
    const dbFile = flagValue(cmd, '--db-filename')!;
    // The database file sits in a named volume, so it survives `docker compose down`.
    const dataVolume = services.temporal
      .volumes!.map((v) => v.split(':'))
      .find(([, mount]) => dbFile.startsWith(`${mount}/`));
    expect(dataVolume).toBeDefined();
    expect(compose.volumes).toHaveProperty(dataVolume![0]);

    const registered = Object.fromEntries(flagValues(cmd, '--search-attribute').map((sa) => sa.split('=')));
    expect(registered).toEqual(SEARCH_ATTRIBUTE_DEFINITIONS);
    const script = read('scripts/temporal.sh');
    const inScript = Object.fromEntries(
      [...script.matchAll(/^\s+(\w+)=(Keyword|Int|Datetime)\s*$/gm)].map((m) => [m[1], m[2]]),
    );
    expect(inScript).toEqual(SEARCH_ATTRIBUTE_DEFINITIONS);
  });

  test('runs the Elasticsearch version of scripts/elasticsearch.sh, security off, on the default port', () => {
    const es = services.elasticsearch;
    const scriptVersion = /ES_VERSION="\$\{ES_VERSION:-([0-9.]+)\}"/.exec(
      read('scripts/elasticsearch.sh'),
    )![1];
    expect(es.image).toBe(`docker.elastic.co/elasticsearch/elasticsearch:${scriptVersion}`);
    expect(es.environment).toMatchObject({
      'discovery.type': 'single-node',
      'http.port': esPort,
      'xpack.security.enabled': 'false',
      'cluster.routing.allocation.disk.threshold_enabled': 'false',
    });
    expect(es.environment!.ES_JAVA_OPTS).toContain('-Xmx512m');
    expect(read('docker-compose.yml')).toMatch(/DEVELOPMENT ONLY/);
  });

  test('runs the simulator on its default port', () => {
    expect(services.simulator.command).toEqual([
      'npx',
      'mimecast-crawler',
      'simulator',
      '--port',
      String(DEFAULT_SIMULATOR_PORT),
    ]);
  });

  test("gives the worker the code's defaults under the variable names the code reads", () => {
    const worker = services.worker;
    expect(worker.command).toEqual(['npx', 'mimecast-crawler', 'worker']);
    expect(worker.environment).toMatchObject({
      TEMPORAL_ADDRESS: DEFAULT_TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: DEFAULT_NAMESPACE,
      TEMPORAL_TASK_QUEUE: DEFAULT_TASK_QUEUE,
      ELASTICSEARCH_URL: DEFAULT_ELASTICSEARCH_URL,
    });
    const code = ['workers/worker-config.ts', 'client/environment.ts', 'activities/mimecast/credentials.ts']
      .map(read)
      .join('\n');
    for (const name of Object.keys(worker.environment!)) {
      expect({ name, readByCode: code.includes(name) }).toEqual({ name, readByCode: true });
    }
    expect(Object.keys(worker.environment!)).toEqual(
      expect.arrayContaining(['MIMECAST_CLIENT_ID', 'MIMECAST_CLIENT_SECRET']),
    );
  });
});
