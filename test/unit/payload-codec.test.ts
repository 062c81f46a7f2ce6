// The AES-256-GCM payload codec and its keys (codec/): rotation, tampering, key errors that name
// the variable to change and never echo a key.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, KEY_ID_METADATA } from '../../codec/aes-gcm-codec';
import { readCodecKeys } from '../../codec/encryption-keys';

const k = () => randomBytes(32).toString('base64');
const OLD = `old:${k()}`;
const NEW = `new:${k()}`;
const codecOf = (list: string) => new AesGcmPayloadCodec(readCodecKeys({ PAYLOAD_CODEC_KEYS: list })!);
const payload = defaultPayloadConverter.toPayload({ address: 'alice@example.com', subject: 'Q1 plan' });

describe('AesGcmPayloadCodec', () => {
  it('encrypts, names the key, and decodes with it', async () => {
    const [sealed] = await codecOf(OLD).encode([payload]);
    expect(Buffer.from(sealed!.metadata![KEY_ID_METADATA]!).toString()).toBe('old');
    expect(Buffer.from(sealed!.data!).toString('latin1')).not.toContain('alice');
    const [opened] = await codecOf(OLD).decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual({
      address: 'alice@example.com',
      subject: 'Q1 plan',
    });
  });

  it('decodes a payload of the old key after rotation, and encrypts new ones with the new key', async () => {
    const [sealed] = await codecOf(OLD).encode([payload]);
    const rotated = codecOf(`${NEW},${OLD}`);
    const [opened] = await rotated.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toMatchObject({ subject: 'Q1 plan' });
    const [fresh] = await rotated.encode([payload]);
    expect(Buffer.from(fresh!.metadata![KEY_ID_METADATA]!).toString()).toBe('new');
    await expect(codecOf(NEW).decode([sealed!])).rejects.toThrow(/key "old".*PAYLOAD_CODEC_KEYS/);
  });

  it('refuses a tampered payload or one relabelled to another key', async () => {
    const [sealed] = await codecOf(OLD).encode([payload]);
    const data = Buffer.from(sealed!.data!);
    data[20] ^= 1;
    await expect(codecOf(OLD).decode([{ ...sealed!, data }])).rejects.toThrow();
    const sameBytes = OLD.replace(/^old:/, 'other:');
    const relabelled = {
      ...sealed!,
      metadata: { ...sealed!.metadata, [KEY_ID_METADATA]: Buffer.from('other') },
    };
    await expect(codecOf(`${sameBytes}`).decode([relabelled])).rejects.toThrow();
  });

  it('passes through payloads written before the codec was on', async () => {
    expect(await codecOf(OLD).decode([payload])).toEqual([payload]);
  });
});

describe('readCodecKeys', () => {
  it('is off without either variable', () => {
    expect(readCodecKeys({})).toBeUndefined();
  });

  it('reads a key file whose "current" key encrypts', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'keys-')), 'keys.json');
    writeFileSync(file, JSON.stringify({ current: 'b', keys: { a: k(), b: k() } }));
    const keys = readCodecKeys({ PAYLOAD_CODEC_KEY_FILE: file })!;
    expect(keys.current.id).toBe('b');
    expect([...keys.byId.keys()].sort()).toEqual(['a', 'b']);
  });

  it.each([
    [{ PAYLOAD_CODEC_KEYS: 'short:AAAA' }, /PAYLOAD_CODEC_KEYS: key "short" is 3 bytes; AES-256 needs 32/],
    [{ PAYLOAD_CODEC_KEYS: k() }, /PAYLOAD_CODEC_KEYS: each entry must be "keyId:base64Key"/],
    [{ PAYLOAD_CODEC_KEYS: `${OLD},${OLD}` }, /key id "old" appears twice/],
    [
      { PAYLOAD_CODEC_KEYS: OLD, PAYLOAD_CODEC_KEY_FILE: '/x' },
      /either PAYLOAD_CODEC_KEYS or PAYLOAD_CODEC_KEY_FILE/,
    ],
    [
      { PAYLOAD_CODEC_KEY_FILE: '/nonexistent/keys.json' },
      /PAYLOAD_CODEC_KEY_FILE \(\/nonexistent\/keys.json\): ENOENT/,
    ],
  ])('refuses %o naming what to change', (env, message) => {
    expect(() => readCodecKeys(env)).toThrow(message);
    try {
      readCodecKeys(env);
    } catch (err) {
      expect((err as Error).message).not.toContain(OLD.split(':')[1]);
    }
  });
});
