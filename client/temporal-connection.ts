// How the CLI connects to Temporal: a local dev server in plain gRPC, or a cluster / Temporal Cloud
// with mTLS or an API key. Same variables as the worker (workers/worker-config.ts), plus inline PEMs.
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { cliIdentity } from '../activities/pass/pass-starter';
import { codecDataConverter } from '../codec/data-converter';
import type { CliEnvironment, TemporalTlsFiles } from './environment';

/** A PEM given inline is used as is; anything else is a path to read. */
function pem(value: string | undefined): Buffer | undefined {
  if (!value) return undefined;
  return value.includes('-----BEGIN') ? Buffer.from(value) : readFileSync(value);
}

export function temporalTlsConfig(tls: TemporalTlsFiles | undefined, apiKey: string | undefined) {
  if (!tls && !apiKey) return undefined;
  const cert = pem(tls?.cert);
  const key = pem(tls?.key);
  if (Boolean(cert) !== Boolean(key)) {
    throw new Error('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be given together');
  }
  return {
    serverRootCACertificate: pem(tls?.ca),
    clientCertPair: cert && key ? { crt: cert, key } : undefined,
    serverNameOverride: tls?.serverName,
  };
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (some containers): the environment's name, if any.
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

export async function connectTemporal(
  env: CliEnvironment,
): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({
    address: env.temporalAddress,
    tls: temporalTlsConfig(env.temporalTls, env.temporalApiKey),
    apiKey: env.temporalApiKey,
    connectTimeout: '10s',
  });
  // The worker's codec: what the CLI starts (and the schedules' arguments) is encrypted the same way.
  const dataConverter = codecDataConverter(env.codecKeys);
  // The identity names the user and host: the pass report records who started a pass.
  const identity = cliIdentity(userName(), hostname());
  return {
    connection,
    client: new Client({ connection, namespace: env.namespace, dataConverter, identity }),
  };
}
