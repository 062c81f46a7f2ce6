// `mimecast-crawler codec-server`: decodes the crawler's encrypted payloads for the Temporal Web
// UI and `temporal workflow show --codec-endpoint`, with the keys of this process's environment.
import { codecDataConverter } from '../../codec/data-converter';
import { createCodecServer, listenCodecServer } from '../../codec/codec-server';
import type { CliContext } from '../cli-context';

export interface CodecServerCommandOptions {
  port: string;
  host: string;
  uiOrigin?: string[];
  /** Tests: resolves once the server listens, with its port and a way to stop it. */
  onListening?: (port: number, stop: () => Promise<void>) => void;
}

export const CODEC_TOKEN_VARIABLE = 'CODEC_SERVER_TOKEN';

export async function codecServerCommand(
  ctx: CliContext,
  opts: CodecServerCommandOptions,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const [codec] = codecDataConverter(ctx.env.codecKeys).payloadCodecs ?? [];
  if (!codec) {
    ctx.io.err("codec-server needs the worker's keys: set PAYLOAD_CODEC_KEYS or PAYLOAD_CODEC_KEY_FILE");
    return 1;
  }
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    ctx.io.err(`--port: "${opts.port}" is not a port number`);
    return 1;
  }
  const allowedOrigins = opts.uiOrigin?.length ? opts.uiOrigin : [new URL(ctx.env.temporalUiUrl).origin];
  const token = env[CODEC_TOKEN_VARIABLE]?.trim() || undefined;
  const server = createCodecServer({ codec, allowedOrigins, token, namespace: ctx.env.namespace });
  const bound = await listenCodecServer(server, port, opts.host);
  const url = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${bound}`;
  ctx.io.out(
    `codec server on ${url} (namespace ${ctx.env.namespace}; CORS for ${allowedOrigins.join(', ')})`,
  );
  ctx.io.out(
    token
      ? `POSTs need: Authorization: Bearer $${CODEC_TOKEN_VARIABLE}`
      : `no bearer token (set ${CODEC_TOKEN_VARIABLE} to require one)`,
  );
  ctx.io.out(`Web UI: Settings (top right) → Codec Server → endpoint ${url}`);
  const stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  opts.onListening?.(bound, stop);
  await new Promise<void>((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    server.once('close', done);
  });
  await stop().catch(() => undefined);
  return 0;
}
