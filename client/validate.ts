// `mimecast-crawler validate --config FILE [--connect]`: checks a configuration strictly (every
// problem names its field and reason) and, with --connect, authenticates and tries each endpoint a
// crawl needs, naming the missing role or product when Mimecast refuses one.
import { classifyError, OversizeError } from '../common/node/errors';
import type { SourceSettings } from '../common/settings';
import { CallScope } from '../activities/mimecast/call-scope';
import type { MimecastClient } from '../activities/mimecast/client';
import { MimecastClientProvider } from '../activities/mimecast/client-provider';
import type { Logger } from '../activities/ports';
import { ConfigFileError, loadSettingsFile } from './settings-file';

export interface ValidateOptions {
  configPath: string;
  connect: boolean;
  /** Worker-like environment holding the credentials (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Receives API traces when the config's traceLevel asks for them (default: silent). */
  logger?: Logger;
}

export interface ValidateResult {
  ok: boolean;
  lines: string[];
  /** The settings file's problems, each naming its field (when the file is invalid). */
  problems?: string[];
}

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
/** Validation should answer quickly: a long throttle is reported, not waited out. */
const VALIDATE_THROTTLE_BUDGET_MS = 30_000;
/** The message-list probe looks at one day, one record. */
const PROBE_WINDOW_MS = 24 * 3600 * 1000;

function failure(step: string, err: unknown): string {
  return `✗ ${step}: ${classifyError(err).message}`;
}

async function probeEndpoints(
  client: MimecastClient,
  settings: SourceSettings,
  lines: string[],
): Promise<boolean> {
  try {
    await client.authenticate();
    lines.push(
      `✓ authenticated with credential "${settings.connection.credential}" at ${settings.connection.authEndpoint}`,
    );
  } catch (err) {
    lines.push(failure('authentication', err));
    return false;
  }

  let domain: string | undefined;
  let ok = true;
  try {
    const domains = await client.listInternalDomains();
    const included = settings.domains.included.map((p) => new RegExp(p, 'i'));
    const crawlable = domains.filter(
      (d) =>
        (settings.domains.includeLocal || !d.local) &&
        (!included.length || included.some((re) => re.test(d.domain))),
    );
    domain = crawlable[0]?.domain ?? domains[0]?.domain;
    lines.push(`✓ get-internal-domain: ${domains.length} domain(s), ${crawlable.length} in scope`);
  } catch (err) {
    lines.push(failure('get-internal-domain (needs Directories › Internal › Read)', err));
    ok = false;
  }

  let mailbox: string | undefined;
  let mailboxes: string[] = [];
  if (domain) {
    try {
      const page = await client.listInternalUsersPage({ domain, pageSize: 25 });
      mailbox = page.users.find((u) => !u.alias)?.emailAddress ?? page.users[0]?.emailAddress;
      mailboxes = page.users.filter((u) => !u.alias).map((u) => u.emailAddress);
      lines.push(`✓ get-internal-users: ${page.users.length} user(s) on the first page of ${domain}`);
    } catch (err) {
      lines.push(failure('get-internal-users (needs Directories › Internal › Read)', err));
      ok = false;
    }
  } else if (ok) {
    lines.push('! get-internal-users: skipped, no internal domain to list');
  }

  if (mailbox) {
    try {
      const end = new Date();
      const page = await client.listMessagesPage({
        mailbox,
        view: 'INBOX',
        start: new Date(end.getTime() - PROBE_WINDOW_MS),
        end,
        pageSize: 1,
      });
      lines.push(`✓ get-message-list: listed ${mailbox} (${page.records.length} record(s) in the last day)`);
      const recent = page.records[0] ? { mailbox, id: page.records[0].id } : undefined;
      ok = (await probeContentView(client, settings, recent ?? mailboxes, lines)) && ok;
    } catch (err) {
      lines.push(failure('get-message-list (needs Archive › Search › Read)', err));
      ok = false;
    }
  } else if (ok) {
    lines.push('! get-message-list: skipped, no mailbox found to list');
  }
  return ok;
}

/** Mailboxes the Content View probe looks into for a message, at most. */
const CONTENT_PROBE_MAILBOXES = 5;

/**
 * Content View (Archive › Search Content View) is only proven by reading content: fetches one
 * message part (the last day's message, else one in the settings' range of the first mailboxes).
 */
async function probeContentView(
  client: MimecastClient,
  settings: SourceSettings,
  found: { mailbox: string; id: string } | string[],
  lines: string[],
): Promise<boolean> {
  try {
    let message = Array.isArray(found) ? undefined : found;
    for (const mailbox of Array.isArray(found) ? found.slice(0, CONTENT_PROBE_MAILBOXES) : []) {
      const { startDate, endDate } = settings.messages;
      const page = await client.listMessagesPage({
        mailbox,
        view: 'INBOX',
        start: new Date(startDate),
        end: endDate ? new Date(endDate) : new Date(),
        pageSize: 1,
      });
      if (page.records[0]) {
        message = { mailbox, id: page.records[0].id };
        break;
      }
    }
    if (!message) {
      lines.push(
        "! get-message-part: skipped, no message between the settings' dates in the first mailboxes",
      );
      return true;
    }
    const { mailbox, id } = message;
    const maxBytes = settings.messages.maxMessageBytes;
    try {
      const bytes = await client.getMessagePart({
        id,
        mailbox,
        type: 'RFC822',
        context: 'RECEIVED',
        maxBytes,
      });
      lines.push(`✓ get-message-part: fetched one message of ${mailbox} (${bytes.length} bytes)`);
    } catch (err) {
      // Too large for maxMessageBytes still proves the permission: the download had started.
      if (!(err instanceof OversizeError)) throw err;
      lines.push(
        `✓ get-message-part: one message of ${mailbox} is readable (larger than messages.maxMessageBytes)`,
      );
    }
    return true;
  } catch (err) {
    lines.push(failure('get-message-part (needs Archive › Search Content View)', err));
    return false;
  }
}

export async function runValidate(opts: ValidateOptions): Promise<ValidateResult> {
  const lines: string[] = [];
  let settings: SourceSettings;
  try {
    settings = loadSettingsFile(opts.configPath);
  } catch (err) {
    if (err instanceof ConfigFileError) {
      return {
        ok: false,
        lines: [`✗ ${opts.configPath} is invalid:`, ...err.problems.map((p) => `  - ${p}`)],
        problems: err.problems,
      };
    }
    throw err;
  }
  lines.push(
    `✓ ${opts.configPath} is valid (source "${settings.sourceId}", index prefix "${settings.index.prefix}")`,
  );
  if (!opts.connect) return { ok: true, lines };

  const provider = new MimecastClientProvider({
    env: opts.env,
    logger: opts.logger ?? silent,
    retry: { transientRetries: 1 },
  });
  try {
    let client: MimecastClient;
    try {
      client = provider
        .forSettings(settings)
        .withCallScope(new CallScope({ maxThrottleWaitMs: VALIDATE_THROTTLE_BUDGET_MS }));
    } catch (err) {
      lines.push(failure('credential', err));
      return { ok: false, lines };
    }
    const ok = await probeEndpoints(client, settings, lines);
    return { ok, lines };
  } finally {
    await provider.close();
  }
}
