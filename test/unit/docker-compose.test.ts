// Docker cannot run here; this keeps docker-compose.yml and the Dockerfile in step with the code's
// defaults and with the provisioning scripts (ports, search attributes, versions, variable names),
// and holds them to what Docker users need: a bridge network with service names (no host
// networking), the simulator allowed by name through the development switch, and a worker image
// that is multi-stage, non-root, with the workflow bundle prebuilt and a health check.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  DEFAULT_ELASTICSEARCH_URL,
  DEFAULT_METRICS_PORT,
  DEFAULT_NAMESPACE,
  DEFAULT_SIMULATOR_PORT,
  DEFAULT_TASK_QUEUE,
  DEFAULT_TEMPORAL_ADDRESS,
  TEMPORAL_UI_PORT,
} from '../../common/node/defaults';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../common/search-attributes';
import { DEV_HOSTS_VARIABLE } from '../../activities/mimecast/credentials';

const root = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  networks?: string[];
  network_mode?: string;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
const compose = parse(read('docker-compose.yml')) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
  networks: Record<string, { driver?: string }>;
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

  test('puts every service on one bridge network, without host networking', () => {
    expect(Object.values(compose.networks).map((n) => n.driver ?? 'bridge')).toEqual(['bridge']);
    const [network] = Object.keys(compose.networks);
    for (const [name, service] of Object.entries(services)) {
      expect({ name, networkMode: service.network_mode, networks: service.networks }).toEqual({
        name,
        networkMode: undefined,
        networks: [network],
      });
    }
  });

  test('listens on all interfaces inside the network and publishes the default ports on the host loopback', () => {
    expect(flagValue(services.temporal.command, '--ip')).toBe('0.0.0.0');
    expect(services.temporal.ports).toEqual(
      expect.arrayContaining([
        `127.0.0.1:${temporalPort}:${temporalPort}`,
        `127.0.0.1:${TEMPORAL_UI_PORT}:${TEMPORAL_UI_PORT}`,
      ]),
    );
    expect(services.elasticsearch.ports).toEqual([`127.0.0.1:${esPort}:${esPort}`]);
    expect(services.elasticsearch.environment).not.toHaveProperty('network.host');
    expect(services.simulator.environment).toMatchObject({ MIMECAST_SIMULATOR_HOST: '0.0.0.0' });
  });

  test('runs the simulator on its default port, from the worker image', () => {
    expect(services.simulator.command).toEqual(['simulator', '--port', String(DEFAULT_SIMULATOR_PORT)]);
    expect(services.simulator.image).toBe(services.worker.image);
    expect(services.simulator.build).toBe('.');
    expect(read('simulator/cli.ts')).toContain('process.env.MIMECAST_SIMULATOR_HOST');
  });

  test("gives the worker the code's default ports at the service names, under the variable names the code reads", () => {
    const worker = services.worker;
    expect(worker.build).toBe('.');
    expect(worker.command).toEqual(['worker']);
    expect(worker.environment).toMatchObject({
      TEMPORAL_ADDRESS: `temporal:${temporalPort}`,
      TEMPORAL_NAMESPACE: DEFAULT_NAMESPACE,
      TEMPORAL_TASK_QUEUE: DEFAULT_TASK_QUEUE,
      ELASTICSEARCH_URL: `http://elasticsearch:${esPort}`,
    });
    const code = [
      'workers/worker-config.ts',
      'client/environment.ts',
      'activities/mimecast/credentials.ts',
      'activities/elastic/connection.ts',
      'codec/encryption-keys.ts',
    ]
      .map(read)
      .join('\n');
    for (const name of Object.keys(worker.environment!)) {
      expect({ name, readByCode: code.includes(name) }).toEqual({ name, readByCode: true });
    }
    expect(Object.keys(worker.environment!)).toEqual(
      expect.arrayContaining(['MIMECAST_CLIENT_ID', 'MIMECAST_CLIENT_SECRET']),
    );
    expect(Object.keys(worker.depends_on!).sort()).toEqual(['elasticsearch', 'simulator', 'temporal']);
    for (const dependency of Object.keys(worker.depends_on!)) {
      expect(services[dependency]!.healthcheck).toBeDefined();
      expect(worker.depends_on![dependency]).toEqual({ condition: 'service_healthy' });
    }
  });

  test('allows the simulator by service name through the development switch, and the example settings call it there', () => {
    // The service's host name: its API port, and the other port its download links may use.
    expect(services.worker.environment![DEV_HOSTS_VARIABLE]).toBe('simulator');
    const simulator = `simulator:${DEFAULT_SIMULATOR_PORT}`;
    const dockerSource = JSON.parse(read('examples/docker-source.json')) as {
      connection: Record<string, string>;
    };
    expect(dockerSource.connection.apiEndpoint).toBe(`http://${simulator}`);
    expect(dockerSource.connection.authEndpoint).toBe(`http://${simulator}/oauth/token`);
    // Otherwise the demo's own settings.
    const demo = JSON.parse(read('examples/demo-source.json')) as { connection: Record<string, string> };
    expect({
      ...dockerSource,
      connection: { ...dockerSource.connection, apiEndpoint: '', authEndpoint: '' },
    }).toEqual({
      ...demo,
      connection: { ...demo.connection, apiEndpoint: '', authEndpoint: '' },
    });
  });
});

/** The Dockerfile's instructions, one per logical line (continuations joined), grouped by stage. */
function dockerStages(text: string): { name: string; from: string; lines: string[] }[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages: { name: string; from: string; lines: string[] }[] = [];
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.push({ from: from[1]!, name: from[2] ?? String(stages.length), lines: [] });
    else stages.at(-1)!.lines.push(line);
  }
  return stages;
}

describe('Dockerfile', () => {
  const stages = dockerStages(read('Dockerfile'));
  const runtime = stages.at(-1)!;
  const instruction = (stage: typeof runtime, keyword: string) =>
    stage.lines.filter((line) => line.toUpperCase().startsWith(`${keyword} `));

  test('is multi-stage: a build stage, and a runtime stage that copies only its results', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages[0]!;
    expect(instruction(runtime, 'COPY').every((line) => line.includes(`--from=${build.name}`))).toBe(true);
    expect(instruction(build, 'RUN').join(' ')).toMatch(/npm ci\b/);
    expect(instruction(build, 'RUN').join(' ')).toMatch(/npm prune --omit=dev/);
    // The Node line of package.json's engines.
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    const major = /(\d+)/.exec(engines)![1];
    for (const stage of stages) expect(stage.from).toMatch(new RegExp(`^node:${major}\\b`));
  });

  test('prebuilds the workflow bundle and points the worker at it', () => {
    const run = instruction(stages[0]!, 'RUN').join(' ');
    const built = /npm run build:workflows -- (\S+)/.exec(run);
    expect(built).not.toBeNull();
    expect(read('package.json')).toContain('"build:workflows"');
    const env = instruction(runtime, 'ENV').join(' ');
    expect(env).toContain(`WORKFLOW_BUNDLE_PATH=/app/${built![1]}`);
    expect(read('workers/main.ts')).toContain('env.WORKFLOW_BUNDLE_PATH');
  });

  test('runs as a non-root user, the worker by default, with a health check on the default metrics port', () => {
    const users = instruction(runtime, 'USER');
    expect(users).toHaveLength(1);
    expect(users[0]).not.toMatch(/^USER\s+(root|0)(:|$)/);
    expect(runtime.lines.findIndex((l) => l.startsWith('USER'))).toBeGreaterThan(
      Math.max(...runtime.lines.map((l, i) => (l.startsWith('RUN') || l.startsWith('COPY') ? i : -1))),
    );
    expect(instruction(runtime, 'CMD')).toEqual(['CMD ["worker"]']);
    expect(instruction(runtime, 'EXPOSE')).toEqual([`EXPOSE ${DEFAULT_METRICS_PORT}`]);
    const health = instruction(runtime, 'HEALTHCHECK').join(' ');
    expect(health).toContain('/healthz');
    expect(health).toContain(String(DEFAULT_METRICS_PORT));
    expect(read('workers/metrics.ts')).toContain("'/healthz'");
  });

  test('keeps dependencies, build output and local data out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.tools', '.data', '.git']));
  });
});
