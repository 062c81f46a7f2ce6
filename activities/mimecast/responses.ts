// Typed Mimecast API 2.0 responses (docs/architecture.md, Mimecast API facts), parsed with zod. Objects are
// loose (unknown fields kept) because the real API adds fields; what the crawler relies on is checked.
import { z } from 'zod';
import { MimecastResponseError, type MimecastFailDetail } from './errors';
import { mimecastDateToIso } from './mimecast-date';

export const MimecastTokenResponse = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive(),
});
export type MimecastTokenResponse = z.infer<typeof MimecastTokenResponse>;

export const MimecastPagination = z.looseObject({
  pageSize: z.number().optional(),
  totalCount: z.number().optional(),
  next: z.string().nullish(),
  previous: z.string().nullish(),
});

export const MimecastEnvelope = z.looseObject({
  meta: z.looseObject({ status: z.number().optional(), pagination: MimecastPagination.nullish() }).nullish(),
  data: z.array(z.unknown()).nullish(),
  fail: z.unknown().optional(),
});
export type MimecastEnvelope = z.infer<typeof MimecastEnvelope>;

export const MimecastAddress = z.looseObject({
  emailAddress: z.string().nullish(),
  displayableName: z.string().nullish(),
});
export type MimecastAddress = { emailAddress: string; displayableName: string };

function address(a: z.infer<typeof MimecastAddress> | null | undefined): MimecastAddress | undefined {
  if (!a) return undefined;
  return { emailAddress: a.emailAddress ?? '', displayableName: a.displayableName ?? '' };
}
function addresses(
  a: z.infer<typeof MimecastAddress> | z.infer<typeof MimecastAddress>[] | null | undefined,
): MimecastAddress[] {
  if (!a) return [];
  return (Array.isArray(a) ? a : [a])
    .map((x) => address(x)!)
    .filter((x) => x.emailAddress || x.displayableName);
}

export const MimecastDomainSchema = z.looseObject({
  id: z.string().optional(),
  domain: z.string().min(1),
  sendOnly: z.boolean().optional(),
  local: z.boolean().optional(),
  inboundType: z.string().optional(),
});
export type MimecastDomain = z.infer<typeof MimecastDomainSchema>;

export const MimecastUserSchema = z.looseObject({
  emailAddress: z.string().min(1),
  addressType: z.string().optional(),
  alias: z.boolean().optional(),
  name: z.string().nullish(),
  domain: z.string().optional(),
});
export type MimecastUser = z.infer<typeof MimecastUserSchema>;

export const MimecastUsersPage = z.looseObject({
  users: z.array(MimecastUserSchema).nullish(),
  userCount: z.number().optional(),
});

const RawMessageRecord = z.looseObject({
  id: z.string().min(1),
  subject: z.string().nullish(),
  from: MimecastAddress.nullish(),
  // The list documents `to` as an object; detail and some tenants use arrays (docs/architecture.md, Mimecast
  // API facts).
  to: z.union([MimecastAddress, z.array(MimecastAddress)]).nullish(),
  // Checked here: every later step (windows, boundary seconds, documents) needs a real date.
  received: z
    .string()
    .min(1)
    .refine((v) => mimecastDateToIso(v) !== undefined, { message: 'not a date' }),
  size: z.number().nullish(),
  attachmentCount: z.number().nullish(),
  status: z.string().nullish(),
  smash: z.string().nullish(),
  read: z.boolean().nullish(),
  ccm: z.boolean().nullish(),
  recalled: z.boolean().nullish(),
  expired: z.boolean().nullish(),
});

/** A get-message-list record, normalised: `to` always an array, a missing subject is ''. */
export interface MimecastMessageRecord {
  id: string;
  subject: string;
  from?: MimecastAddress;
  to: MimecastAddress[];
  received: string;
  size: number;
  attachmentCount: number;
  status?: string;
  smash?: string;
  read: boolean;
  recalled: boolean;
  expired: boolean;
}

export const MimecastMessageRecordSchema = RawMessageRecord.transform((r): MimecastMessageRecord => ({
  id: r.id,
  subject: r.subject ?? '',
  from: address(r.from),
  to: addresses(r.to),
  received: r.received,
  size: r.size ?? 0,
  attachmentCount: r.attachmentCount ?? 0,
  status: r.status ?? undefined,
  smash: r.smash ?? undefined,
  read: r.read ?? false,
  recalled: r.recalled ?? false,
  expired: r.expired ?? false,
}));

/** A list record that failed validation: an item failure of its page, never the page's. */
export interface InvalidListRecord {
  /** Position in the page's data[]. */
  position: number;
  /** The record's id when it has a usable one. */
  id?: string;
  /** Its `received` when that is a valid date. */
  received?: string;
  /** The offending field and what is wrong with it. */
  reason: string;
  /** sha256 of the record as served: a stable key for a record without an id. */
  fingerprint: string;
}

/** Parses one list record, or describes why it is not valid (never throws for a bad record). */
export function parseListRecord(
  value: unknown,
  position: number,
  fingerprint: (value: unknown) => string,
): { record: MimecastMessageRecord } | { invalid: InvalidListRecord } {
  const result = MimecastMessageRecordSchema.safeParse(value);
  if (result.success) return { record: result.data };
  const issue = result.error.issues[0];
  const raw = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const id = typeof raw.id === 'string' && raw.id.trim() ? raw.id : undefined;
  const received = typeof raw.received === 'string' ? mimecastDateToIso(raw.received) : undefined;
  const field = issue.path.map(String).join('.') || '(record)';
  return {
    invalid: {
      position,
      ...(id ? { id } : {}),
      ...(received ? { received } : {}),
      reason: `get-message-list record data[${position}] is not valid: ${field}: ${issue.message}`,
      fingerprint: fingerprint(value),
    },
  };
}

export const MimecastAttachmentSchema = z.looseObject({
  id: z.string().min(1),
  filename: z.string().nullish(),
  extension: z.string().nullish(),
  contentType: z.string().nullish(),
  contentId: z.string().nullish(),
  size: z.number().nullish(),
  sha256: z.string().nullish(),
  bodyType: z.number().nullish(),
});
export type MimecastAttachment = z.infer<typeof MimecastAttachmentSchema>;

const RawMessageDetail = z.looseObject({
  id: z.string().min(1),
  subject: z.string().nullish(),
  status: z.string().nullish(),
  smash: z.string().nullish(),
  mimeMessageId: z.string().nullish(),
  received: z.string().nullish(),
  processed: z.string().nullish(),
  headerDate: z.string().nullish(),
  size: z.number().nullish(),
  from: MimecastAddress.nullish(),
  replyTo: MimecastAddress.nullish(),
  envelopeFrom: MimecastAddress.nullish(),
  to: z.union([MimecastAddress, z.array(MimecastAddress)]).nullish(),
  cc: z.union([MimecastAddress, z.array(MimecastAddress)]).nullish(),
  headers: z.array(z.looseObject({ name: z.string(), values: z.array(z.string()).nullish() })).nullish(),
  hasHtmlBody: z.boolean().nullish(),
  hasTextBody: z.boolean().nullish(),
  attachments: z.array(MimecastAttachmentSchema).nullish(),
});

export interface MimecastMessageDetail {
  id: string;
  subject: string;
  status?: string;
  mimeMessageId?: string;
  received?: string;
  size: number;
  from?: MimecastAddress;
  replyTo?: MimecastAddress;
  to: MimecastAddress[];
  cc: MimecastAddress[];
  headers: { name: string; values: string[] }[];
  hasHtmlBody: boolean;
  hasTextBody: boolean;
  attachments: MimecastAttachment[];
}

export const MimecastMessageDetailSchema = RawMessageDetail.transform((d): MimecastMessageDetail => ({
  id: d.id,
  subject: d.subject ?? '',
  status: d.status ?? undefined,
  mimeMessageId: d.mimeMessageId ?? undefined,
  received: d.received ?? undefined,
  size: d.size ?? 0,
  from: address(d.from),
  replyTo: address(d.replyTo),
  to: addresses(d.to),
  cc: addresses(d.cc),
  headers: (d.headers ?? []).map((h) => ({ name: h.name, values: h.values ?? [] })),
  hasHtmlBody: d.hasHtmlBody ?? false,
  hasTextBody: d.hasTextBody ?? false,
  attachments: d.attachments ?? [],
}));

/** The JSON answer of a download endpoint that returns a link instead of bytes. */
export const MimecastDownloadLink = z
  .looseObject({ url: z.string().optional(), urls: z.array(z.string()).optional() })
  .refine((d) => Boolean(d.url || d.urls?.length), { message: 'neither url nor urls[] present' });

/** Parses `value` or throws an error that names the endpoint and the offending field. */
export function parseResponse<S extends z.ZodType>(
  endpoint: string,
  schema: S,
  value: unknown,
  at = '',
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [at, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)';
  throw new MimecastResponseError(endpoint, `${path}: ${issue.message}`);
}

/**
 * Reads `fail` in whichever form it takes (docs/architecture.md, Mimecast API facts): a list of nested
 * `{errors: [...]}` or flat `{code, message}` items, a dict, or a string; plus OAuth-style
 * `{error, error_description}` bodies.
 */
export function failDetails(body: unknown): MimecastFailDetail[] {
  if (!body || typeof body !== 'object')
    return typeof body === 'string' && body ? [{ code: 'unknown', message: body }] : [];
  const b = body as Record<string, any>;
  const out: MimecastFailDetail[] = [];
  const push = (e: any) => {
    if (!e || typeof e !== 'object') {
      if (typeof e === 'string' && e) out.push({ code: 'unknown', message: e });
      return;
    }
    if (Array.isArray(e.errors)) {
      e.errors.forEach(push);
      return;
    }
    if (e.errors && typeof e.errors === 'object') {
      push(e.errors);
      return;
    }
    if (e.code !== undefined || e.message !== undefined) {
      out.push({
        code: String(e.code ?? 'unknown'),
        message: String(e.message ?? ''),
        retryable: typeof e.retryable === 'boolean' ? e.retryable : undefined,
        field: typeof e.field === 'string' ? e.field : undefined,
      });
    }
  };
  const fail = b.fail;
  if (Array.isArray(fail)) fail.forEach(push);
  else if (fail !== undefined && fail !== null) push(fail);
  if (!out.length && typeof b.error === 'string') {
    out.push({ code: b.error, message: String(b.error_description ?? b.error) });
  }
  if (!out.length && b.error && typeof b.error === 'object') push(b.error);
  return out;
}
