// The data converter that the worker, the CLI's client and the codec server share: the AES-GCM
// codec when the process has keys, Temporal's defaults otherwise.
import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from './aes-gcm-codec';
import { readCodecKeys } from './encryption-keys';

type Env = Record<string, string | undefined>;

/** `{ payloadCodecs: [...] }` when PAYLOAD_CODEC_KEYS or PAYLOAD_CODEC_KEY_FILE is set, else `{}`. */
export function codecDataConverter(env: Env = process.env): DataConverter {
  const keys = readCodecKeys(env);
  return keys ? { payloadCodecs: [new AesGcmPayloadCodec(keys)] } : {};
}
