// The source configuration (design §3): one JSON document per source, validated with zod.
// Two parsers: strict for files given to the CLI (unknown keys are errors, regexes checked),
// lenient for workflow inputs (defaults for missing keys, so old schedules keep working).
// Secrets are never part of it: `connection.credential` only names a credential.
import { z } from 'zod';

const idPattern = /^[a-z0-9-]+$/;
const regexList = z.array(z.string()).default([]);

/** Accepts `YYYY-MM-DD` or a full ISO-8601 date-time; normalises to `YYYY-MM-DDTHH:mm:ssZ` (UTC, seconds). */
function isoSecond(endOfDay: boolean) {
  return z.string().transform((value, ctx) => {
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
    const ms = Date.parse(dateOnly ? `${value}T${endOfDay ? '23:59:59' : '00:00:00'}Z` : value);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a date (use YYYY-MM-DD or ISO-8601)` });
      return z.NEVER;
    }
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  });
}

function sectionShapes() {
  return {
    connection: {
      apiEndpoint: z.string().default('https://api.services.mimecast.com'),
      authEndpoint: z.string().default('https://api.services.mimecast.com/oauth/token'),
      credential: z.string().min(1).default('default'),
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
      maxMessageBytes: z.number().int().positive().default(52428800),
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
      statsIntervalSeconds: z.number().int().min(0).default(60),
    },
    performance: {
      pageSize: z.number().int().min(1, 'must be between 1 and 500').max(500, 'must be between 1 and 500').default(100),
      retryAfterMultiplier: z.number().positive().default(1000),
      deltaTokenOffsetMinutes: z
        .number()
        .max(0, 'must be ≤ 0: a positive offset would skip messages between the token and the offset')
        .default(-60),
      authTokenOffsetSeconds: z.number().max(0, 'must be ≤ 0: a token must be refreshed before it expires').default(-60),
    },
    index: { prefix: z.string().regex(idPattern, 'must match [a-z0-9-]+').default('mimecast') },
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
    sourceId: z.string().regex(idPattern, 'must match [a-z0-9-]+'),
    connection: section(s.connection),
    domains: section(s.domains),
    mailboxes: section(s.mailboxes),
    messages: object(s.messages),
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
 * (design §1: a catastrophic pattern must never stall a workflow task).
 */
export function parseSettingsLenient(input: unknown): SourceSettings {
  const result = lenientSettingsSchema.safeParse(input);
  if (!result.success) throw new SettingsError(describeIssues(result.error));
  return result.data as SourceSettings;
}

/** Strings no sane mailbox filter should match all of; an exclusion that does is refused. */
const EVERYTHING_PROBES = ['', 'a', 'alice@example.com', 'zz9-x.y@sub.example.org', '@', '0'];

function regexProblems(field: string, patterns: string[], isExclusion: boolean): string[] {
  const problems: string[] = [];
  patterns.forEach((pattern, i) => {
    let re: RegExp;
    try {
      re = new RegExp(pattern, 'i');
    } catch (err) {
      problems.push(`${field}[${i}]: invalid regex /${pattern}/: ${(err as Error).message}`);
      return;
    }
    if (isExclusion && EVERYTHING_PROBES.every((probe) => re.test(probe))) {
      problems.push(`${field}[${i}]: /${pattern}/ matches every address, so nothing would be crawled`);
    }
  });
  return problems;
}

/** Semantic rules that a schema alone cannot express. Run in activities and the CLI, never in workflows. */
export function semanticProblems(settings: SourceSettings): string[] {
  const problems = [
    ...regexProblems('domains.included', settings.domains.included, false),
    ...regexProblems('mailboxes.included', settings.mailboxes.included, false),
    ...regexProblems('mailboxes.excluded', settings.mailboxes.excluded, true),
    ...regexProblems('messages.excludedSubjects', settings.messages.excludedSubjects, false),
    ...regexProblems('attachments.excludedNames', settings.attachments.excludedNames, false),
  ];
  const { startDate, endDate } = settings.messages;
  if (endDate && Date.parse(endDate) < Date.parse(startDate)) {
    problems.push(`messages.endDate: ${endDate} is before messages.startDate ${startDate}`);
  }
  return problems;
}

/** Strict parse for files given to the CLI: unknown keys, bad values and bad regexes are errors. */
export function parseSettingsStrict(input: unknown): SourceSettings {
  const result = strictSettingsSchema.safeParse(input);
  if (!result.success) throw new SettingsError(describeIssues(result.error));
  const problems = semanticProblems(result.data);
  if (problems.length) throw new SettingsError(problems);
  return result.data;
}
