// The source configuration (docs/architecture.md, Settings): one JSON document per source, validated with
// zod. Two parsers: strict for files given to the CLI (unknown keys are errors, regexes checked), lenient for
// workflow inputs (defaults for missing keys, so old schedules keep working). Secrets are never part of it:
// `connection.credential` only names a credential.
import { z } from 'zod';

const ID_RULE = 'must match [a-z0-9-]+ (lower-case letters, digits and hyphens)';
const idPattern = /^[a-z0-9-]+$/;
const regexList = z.array(z.string()).default([]);

/** `error` option: "is required" for a missing value, zod's own message otherwise. */
const requiredError = {
  error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : undefined),
};

/** Accepts `YYYY-MM-DD` or a full ISO-8601 date-time; normalises to `YYYY-MM-DDTHH:mm:ssZ` (UTC, seconds). */
function isoSecond(endOfDay: boolean) {
  return z.string(requiredError).transform((value, ctx) => {
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
    const ms = Date.parse(dateOnly ? `${value}T${endOfDay ? '23:59:59' : '00:00:00'}Z` : value);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a date (use YYYY-MM-DD or ISO-8601)` });
      return z.NEVER;
    }
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  });
}

/** The API's largest page (docs/architecture.md, Mimecast API facts): the bound of `performance.pageSize`. */
export const MAX_PAGE_SIZE = 500;
const PAGE_SIZE_RULE = `must be between 1 and ${MAX_PAGE_SIZE} (the API never pages above ${MAX_PAGE_SIZE})`;

function sectionShapes() {
  return {
    connection: {
      apiEndpoint: z.string().min(1).default('https://api.services.mimecast.com'),
      authEndpoint: z.string().min(1).default('https://api.services.mimecast.com/oauth/token'),
      credential: z
        .string()
        .min(1, 'must name a credential of the worker (e.g. "default")')
        .default('default'),
    },
    domains: { included: regexList, includeLocal: z.boolean().default(false) },
    mailboxes: { included: regexList, excluded: regexList },
    messages: {
      startDate: isoSecond(false),
      endDate: isoSecond(true).optional(),
      ignoreDeltaTokens: z.boolean().default(false),
      excludedSubjects: regexList,
      blankSubjectDefault: z.string().default('(no subject)'),
      expiredPolicy: z.enum(['delete', 'keep']).default('delete'),
      maxMessageBytes: z.number().int().positive('must be a positive number of bytes').default(52428800),
    },
    attachments: {
      extract: z.boolean().default(true),
      excludedNames: regexList,
      blankNameDefault: z.string().default('attachment'),
    },
    parallelism: {
      mailboxCrawling: z.number().int().min(1).max(200).default(4),
      folderQuery: z.number().int().min(1).max(64).default(2),
      mailboxDeletion: z.number().int().min(1).max(64).default(2),
    },
    logging: {
      traceLevel: z.enum(['None', 'Calls', 'All']).default('None'),
      statsIntervalSeconds: z.number().int().min(0, 'must be ≥ 0 (0 turns the stats lines off)').default(60),
    },
    performance: {
      pageSize: z.number().int().min(1, PAGE_SIZE_RULE).max(MAX_PAGE_SIZE, PAGE_SIZE_RULE).default(100),
      // Messages of one page fetched and extracted at once; results are still applied in list order.
      pageConcurrency: z.number().int().min(1).max(32).default(4),
      retryAfterMultiplier: z
        .number()
        .positive('must be > 0 (ms of wait per second the API advises)')
        .default(1000),
      deltaTokenOffsetMinutes: z
        .number()
        .max(0, 'must be ≤ 0: a positive offset would skip messages between the token and the offset')
        .default(-60),
      authTokenOffsetSeconds: z
        .number()
        .max(0, 'must be ≤ 0: a token must be refreshed before it expires')
        .min(
          -1500,
          'must be ≥ -1500: tokens live 1799 s, a larger offset would request a new token for every call',
        )
        .default(-60),
    },
    index: { prefix: z.string().regex(idPattern, ID_RULE).max(100).default('mimecast') },
    privacy: { hashAddresses: z.boolean().default(false) },
  };
}

type Mode = 'strict' | 'lenient';

function buildSchema(mode: Mode) {
  const object = mode === 'strict' ? z.strictObject : z.object;
  const s = sectionShapes();
  // prefault (not default) so the inner defaults apply when a whole section is missing.
  const section = <T extends z.ZodRawShape>(shape: T) => object(shape).prefault({} as never);
  return object({
    sourceId: z.string(requiredError).regex(idPattern, ID_RULE).max(100),
    connection: section(s.connection),
    domains: section(s.domains),
    mailboxes: section(s.mailboxes),
    messages: object(s.messages, {
      error: (i) => (i.input === undefined ? 'is required (at least messages.startDate)' : undefined),
    }),
    attachments: section(s.attachments),
    parallelism: section(s.parallelism),
    logging: section(s.logging),
    performance: section(s.performance),
    index: section(s.index),
    privacy: section(s.privacy),
  });
}

export const strictSettingsSchema = buildSchema('strict');
export const lenientSettingsSchema = buildSchema('lenient');

/** The settings after defaults were applied. */
export type SourceSettings = z.output<typeof strictSettingsSchema>;
/** What a user writes (every key with a default may be missing). */
export type SourceSettingsInput = z.input<typeof strictSettingsSchema>;

export class SettingsError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const field = issue.path.join('.') || '(root)';
    if (issue.code === 'unrecognized_keys') {
      const prefix = issue.path.length ? `${field}.` : '';
      return `${issue.keys.map((k) => prefix + k).join(', ')}: unknown setting`;
    }
    return `${field}: ${issue.message}`;
  });
}

/**
 * Applies defaults only. Safe in workflow code: no user regex is compiled or evaluated here
 * (docs/architecture.md, The shape: a catastrophic pattern must never stall a workflow task).
 */
export function parseSettingsLenient(input: unknown): SourceSettings {
  const result = lenientSettingsSchema.safeParse(input);
  if (!result.success) throw new SettingsError(describeIssues(result.error));
  return result.data as SourceSettings;
}

// Values of each filtered field that a sane exclusion cannot match all of at once; an exclusion that does
// would exclude everything (docs/architecture.md, Registry and deletion guard: validate rejects such
// patterns).
const EVERYTHING_PROBES = {
  address: ['alice@example.com', 'zz9-x.y@sub.example.org', 'b@c.de', '0@0', 'x_y+tag@ex-ample.co.uk'],
  subject: ['', 'Hello', 'Re: Q1 plan', '0', '[EXT] ünïcode — 日本'],
  filename: ['', 'report.pdf', 'a', 'IMG_0001.JPG', 'winmail.dat'],
};

interface RegexRule {
  field: string;
  patterns: string[];
  /** For exclusions: the probe set and what matching all of it would mean. */
  exclusion?: { probes: string[]; consequence: string };
}

function regexProblems({ field, patterns, exclusion }: RegexRule): string[] {
  const problems: string[] = [];
  patterns.forEach((pattern, i) => {
    let re: RegExp;
    try {
      // Same flags as the filters: JavaScript syntax, searched anywhere, ignoring case (docs/architecture.md,
      // Settings).
      re = new RegExp(pattern, 'i');
    } catch (err) {
      problems.push(`${field}[${i}]: invalid regex /${pattern}/: ${(err as Error).message}`);
      return;
    }
    if (exclusion && exclusion.probes.every((probe) => re.test(probe))) {
      problems.push(`${field}[${i}]: /${pattern}/ matches everything, so ${exclusion.consequence}`);
    }
  });
  return problems;
}

// API 1.0 (HMAC) gateways: `*-api.mimecast.com` without `.services` (docs/architecture.md, Mimecast API
// facts).
const API1_HOST = /(^|\.|-)api\.mimecast\.com$/i;
const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

export interface SemanticOptions {
  /** The development switch's hosts (MIMECAST_DEV_HOSTS), where plain http is also accepted. */
  developmentHosts?: readonly string[];
}

function endpointProblems(field: string, value: string, options: SemanticOptions): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [`${field}: "${value}" is not a URL`];
  }
  const host = url.hostname;
  // Loopback passes here; the worker's credential rules decide whether its port is allowed.
  const plainAllowed =
    LOOPBACK_HOST.test(host) ||
    (options.developmentHosts ?? []).some((entry) => entry === host || entry === url.host);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && plainAllowed)) {
    return [
      `${field}: ${url.protocol}//${url.host} is refused: use https (plain http only on loopback or a MIMECAST_DEV_HOSTS host, for the simulator)`,
    ];
  }
  if (API1_HOST.test(host) && !/\.services\.mimecast\.com$/i.test(host)) {
    return [
      `${field}: ${host} is an API 1.0 (HMAC) host; API 2.0 uses *.services.mimecast.com, e.g. https://api.services.mimecast.com`,
    ];
  }
  if (url.username || url.password) return [`${field}: must not carry credentials in the URL`];
  return [];
}

/** The sections the semantic rules read; each field may be missing when its own value is invalid. */
type CheckedSection = 'connection' | 'domains' | 'mailboxes' | 'messages' | 'attachments';
export type SettingsForChecks = { [S in CheckedSection]?: Partial<SourceSettings[S]> };

/**
 * Semantic rules that a schema alone cannot express. Run in activities and the CLI, never in
 * workflows. A rule whose fields are missing is skipped (their own problems are reported already).
 */
export function semanticProblems(settings: SettingsForChecks, options: SemanticOptions = {}): string[] {
  const { connection = {}, domains = {}, mailboxes = {}, messages = {}, attachments = {} } = settings;
  const endpoint = (field: string, value?: string) =>
    value === undefined ? [] : endpointProblems(field, value, options);
  const problems = [
    ...endpoint('connection.apiEndpoint', connection.apiEndpoint),
    ...endpoint('connection.authEndpoint', connection.authEndpoint),
    ...regexProblems({ field: 'domains.included', patterns: domains.included ?? [] }),
    ...regexProblems({ field: 'mailboxes.included', patterns: mailboxes.included ?? [] }),
    ...regexProblems({
      field: 'mailboxes.excluded',
      patterns: mailboxes.excluded ?? [],
      exclusion: { probes: EVERYTHING_PROBES.address, consequence: 'no mailbox would be crawled' },
    }),
    ...regexProblems({
      field: 'messages.excludedSubjects',
      patterns: messages.excludedSubjects ?? [],
      exclusion: { probes: EVERYTHING_PROBES.subject, consequence: 'no message would be indexed' },
    }),
    ...regexProblems({
      field: 'attachments.excludedNames',
      patterns: attachments.excludedNames ?? [],
      exclusion: {
        probes: EVERYTHING_PROBES.filename,
        consequence: 'no attachment would be indexed (set attachments.extract to false instead)',
      },
    }),
  ];
  const { startDate, endDate } = messages;
  if (startDate && endDate && Date.parse(endDate) < Date.parse(startDate)) {
    problems.push(`messages.endDate: ${endDate} is before messages.startDate ${startDate}`);
  }
  return problems;
}

const CHECKED_SECTIONS: CheckedSection[] = ['connection', 'domains', 'mailboxes', 'messages', 'attachments'];

/** The fields the semantic rules read that are valid on their own, from a file the schema refused. */
function checkableFields(input: unknown): SettingsForChecks {
  const shapes = sectionShapes();
  const asObject = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
  const view: Record<string, Record<string, unknown>> = {};
  for (const section of CHECKED_SECTIONS) {
    const raw = asObject(asObject(input)[section]);
    view[section] = {};
    for (const [key, schema] of Object.entries(shapes[section]) as [string, z.ZodType][]) {
      const parsed = schema.safeParse(raw[key]);
      if (parsed.success && parsed.data !== undefined) view[section][key] = parsed.data;
    }
  }
  return view;
}

/** Strict parse for files given to the CLI: unknown keys, bad values and bad regexes are errors. */
export function parseSettingsStrict(input: unknown, options: SemanticOptions = {}): SourceSettings {
  const result = strictSettingsSchema.safeParse(input);
  if (!result.success) {
    // Every problem at once: the rules across fields also run on the fields that are valid.
    const semantic = semanticProblems(checkableFields(input), options);
    throw new SettingsError([...describeIssues(result.error), ...semantic]);
  }
  const problems = semanticProblems(result.data, options);
  if (problems.length) throw new SettingsError(problems);
  return result.data;
}
