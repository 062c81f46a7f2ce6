// The CLI's environment (docs/architecture.md, Commands and environment): Temporal, Elasticsearch and the
// address-hash key, with the shared defaults. Secrets read here stay in memory; they are never printed or
// sent to workflows.
import { readElasticConnection, type ElasticConnection } from '../activities/elastic/connection';
import {
  DEFAULT_NAMESPACE,
  DEFAULT_TASK_QUEUE,
  DEFAULT_TEMPORAL_ADDRESS,
  TEMPORAL_UI_PORT,
} from '../common/node/defaults';

export interface TemporalTlsFiles {
  /** Each is a file path or an inline PEM. */
  cert?: string;
  key?: string;
  ca?: string;
  /** TEMPORAL_TLS_SERVER_NAME: SNI override, as the worker reads it. */
  serverName?: string;
}

export interface CliEnvironment {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  temporalTls?: TemporalTlsFiles;
  temporalApiKey?: string;
  /** Base URL of the Web UI, for links the CLI prints. */
  temporalUiUrl: string;
  /** ELASTICSEARCH_* variables, read by the connection module the worker uses too. */
  elasticsearch: ElasticConnection;
  /** Where Elasticsearch is, without credentials (for messages and printed commands). */
  elasticsearchUrl: string;
  /** HMAC key of privacy.hashAddresses (same variable the worker reads). */
  addressHashKey?: string;
  /** The payload codec's keys, as the worker reads them (codec/encryption-keys.ts). */
  codecKeys: { PAYLOAD_CODEC_KEYS?: string; PAYLOAD_CODEC_KEY_FILE?: string };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() ? value.trim() : undefined;
}

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): CliEnvironment {
  const elasticsearch = readElasticConnection(env);
  const cert = nonEmpty(env.TEMPORAL_TLS_CERT);
  const key = nonEmpty(env.TEMPORAL_TLS_KEY);
  const ca = nonEmpty(env.TEMPORAL_TLS_CA);
  const tlsWanted = Boolean(
    cert || key || ca || nonEmpty(env.TEMPORAL_API_KEY) || env.TEMPORAL_TLS === 'true',
  );
  return {
    temporalAddress: nonEmpty(env.TEMPORAL_ADDRESS) ?? DEFAULT_TEMPORAL_ADDRESS,
    namespace: nonEmpty(env.TEMPORAL_NAMESPACE) ?? DEFAULT_NAMESPACE,
    taskQueue: nonEmpty(env.TEMPORAL_TASK_QUEUE) ?? DEFAULT_TASK_QUEUE,
    temporalTls: tlsWanted
      ? { cert, key, ca, serverName: nonEmpty(env.TEMPORAL_TLS_SERVER_NAME) }
      : undefined,
    temporalApiKey: nonEmpty(env.TEMPORAL_API_KEY),
    temporalUiUrl: (nonEmpty(env.TEMPORAL_UI_URL) ?? `http://127.0.0.1:${TEMPORAL_UI_PORT}`).replace(
      /\/$/,
      '',
    ),
    elasticsearch,
    elasticsearchUrl: elasticsearch.url
      ? elasticsearch.url.replace(/\/\/[^@/]*@/, '//')
      : `Elastic Cloud ${elasticsearch.cloudId!.split(':')[0]}`,
    addressHashKey: nonEmpty(env.MIMECAST_ADDRESS_HASH_KEY),
    codecKeys: {
      PAYLOAD_CODEC_KEYS: nonEmpty(env.PAYLOAD_CODEC_KEYS),
      PAYLOAD_CODEC_KEY_FILE: nonEmpty(env.PAYLOAD_CODEC_KEY_FILE),
    },
  };
}

/** Command-line options that stand beside the environment variables (they win over them). */
export interface ConnectionOverrides {
  address?: string;
  namespace?: string;
}

export function withOverrides(env: CliEnvironment, overrides: ConnectionOverrides): CliEnvironment {
  return {
    ...env,
    ...(overrides.address ? { temporalAddress: overrides.address } : {}),
    ...(overrides.namespace ? { namespace: overrides.namespace } : {}),
  };
}
