// The payload codec's keys: from the process's environment or a key file, never from settings.
// The first key encrypts; every key decrypts, so a key is rotated by putting a new one first and
// keeping the old ones until no history that uses them is retained.
import { readFileSync } from 'node:fs';

export const KEYS_VARIABLE = 'PAYLOAD_CODEC_KEYS';
export const KEY_FILE_VARIABLE = 'PAYLOAD_CODEC_KEY_FILE';

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export interface CodecKeys {
  /** Encrypts new payloads. */
  current: EncryptionKey;
  /** Every key that decrypts, by id (the current one included). */
  byId: ReadonlyMap<string, Buffer>;
}

type Env = Record<string, string | undefined>;

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export class CodecKeyError extends Error {
  override readonly name = 'CodecKeyError';
}

function decodeKey(id: string, encoded: string, where: string): EncryptionKey {
  if (!KEY_ID.test(id)) {
    throw new CodecKeyError(`${where}: key id "${id}" must match [A-Za-z0-9._-]{1,64}`);
  }
  const key = Buffer.from(encoded.trim(), 'base64');
  // The key itself is never echoed: only its id and length.
  if (key.length !== 32) {
    throw new CodecKeyError(
      `${where}: key "${id}" is ${key.length} bytes; AES-256 needs 32 (make one with: openssl rand -base64 32)`,
    );
  }
  return { id, key };
}

/** `id:base64,id:base64` — the first one encrypts. */
function keysFromList(list: string): EncryptionKey[] {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const colon = entry.indexOf(':');
      if (colon < 1) throw new CodecKeyError(`${KEYS_VARIABLE}: each entry must be "keyId:base64Key"`);
      return decodeKey(entry.slice(0, colon), entry.slice(colon + 1), KEYS_VARIABLE);
    });
}

/** `{"current": "id", "keys": {"id": "base64", …}}` */
function keysFromFile(path: string): EncryptionKey[] {
  const where = `${KEY_FILE_VARIABLE} (${path})`;
  let parsed: { current?: unknown; keys?: unknown };
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as typeof parsed;
  } catch (err) {
    throw new CodecKeyError(`${where}: ${(err as NodeJS.ErrnoException).code ?? 'not valid JSON'}`);
  }
  const keys = parsed?.keys;
  if (!keys || typeof keys !== 'object' || typeof parsed.current !== 'string') {
    throw new CodecKeyError(`${where}: must hold {"current": "keyId", "keys": {"keyId": "base64Key"}}`);
  }
  const entries = Object.entries(keys as Record<string, unknown>).map(([id, value]) => {
    if (typeof value !== 'string') throw new CodecKeyError(`${where}: key "${id}" must be a base64 string`);
    return decodeKey(id, value, where);
  });
  const current = entries.find((k) => k.id === parsed.current);
  if (!current)
    throw new CodecKeyError(`${where}: "current" names ${parsed.current}, which is not in "keys"`);
  return [current, ...entries.filter((k) => k !== current)];
}

/** The keys of this process, or undefined when neither variable is set (payloads stay in clear text). */
export function readCodecKeys(env: Env = process.env): CodecKeys | undefined {
  const list = env[KEYS_VARIABLE]?.trim();
  const file = env[KEY_FILE_VARIABLE]?.trim();
  if (list && file) {
    throw new CodecKeyError(`set either ${KEYS_VARIABLE} or ${KEY_FILE_VARIABLE}, not both`);
  }
  const keys = list ? keysFromList(list) : file ? keysFromFile(file) : [];
  if (!keys.length) {
    if (list !== undefined && list !== '') throw new CodecKeyError(`${KEYS_VARIABLE} holds no key`);
    return undefined;
  }
  const byId = new Map<string, Buffer>();
  for (const { id, key } of keys) {
    if (byId.has(id)) throw new CodecKeyError(`key id "${id}" appears twice`);
    byId.set(id, key);
  }
  return { current: keys[0]!, byId };
}
