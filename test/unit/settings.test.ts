// Settings validation (docs/architecture.md, Settings, issue 4 item 1): each invalid input is refused with a
// message naming the field and the reason; defaults fill what the lenient parser is not given.
import { parseSettingsLenient, parseSettingsStrict, SettingsError } from '../../common/settings';

const base = { sourceId: 'acme', messages: { startDate: '2024-01-01' } };

function problemsOf(input: unknown): string[] {
  try {
    parseSettingsStrict(input);
  } catch (err) {
    if (err instanceof SettingsError) return err.problems;
    throw err;
  }
  throw new Error('expected the settings to be refused');
}

function withSection(section: string, values: object): object {
  const current = (base as Record<string, unknown>)[section] as object | undefined;
  return { ...base, [section]: { ...current, ...values } };
}

describe('strict settings', () => {
  it('fills every default of docs/architecture.md, Settings', () => {
    const s = parseSettingsStrict(base);
    expect(s.connection).toEqual({
      apiEndpoint: 'https://api.services.mimecast.com',
      authEndpoint: 'https://api.services.mimecast.com/oauth/token',
      credential: 'default',
    });
    expect(s.messages.startDate).toBe('2024-01-01T00:00:00Z');
    expect(s.messages.endDate).toBeUndefined();
    expect(s.messages.blankSubjectDefault).toBe('(no subject)');
    expect(s.messages.expiredPolicy).toBe('delete');
    expect(s.messages.maxMessageBytes).toBe(52428800);
    expect(s.attachments).toEqual({ extract: true, excludedNames: [], blankNameDefault: 'attachment' });
    expect(s.parallelism).toEqual({ mailboxCrawling: 4, folderQuery: 2, mailboxDeletion: 2 });
    expect(s.logging).toEqual({ traceLevel: 'None', statsIntervalSeconds: 60 });
    expect(s.performance).toEqual({
      pageSize: 100,
      pageConcurrency: 4,
      retryAfterMultiplier: 1000,
      deltaTokenOffsetMinutes: -60,
      authTokenOffsetSeconds: -60,
    });
    expect(s.index.prefix).toBe('mimecast');
    expect(s.privacy.hashAddresses).toBe(false);
  });

  it('takes a date-only endDate as the end of that day (inclusive)', () => {
    const s = parseSettingsStrict(withSection('messages', { endDate: '2024-02-29' }));
    expect(s.messages.endDate).toBe('2024-02-29T23:59:59Z');
  });

  it.each<[string, unknown, RegExp]>([
    ['an unknown top-level key', { ...base, sourceid: 'x' }, /^sourceid: unknown setting$/],
    [
      'an unknown nested key',
      withSection('performance', { pagesize: 10 }),
      /^performance\.pagesize: unknown setting$/,
    ],
    ['a missing sourceId', { messages: base.messages }, /^sourceId: is required$/],
    ['a sourceId with capitals', { ...base, sourceId: 'Acme' }, /^sourceId: must match \[a-z0-9-\]\+/],
    ['a sourceId with a colon', { ...base, sourceId: 'a:b' }, /^sourceId: must match \[a-z0-9-\]\+/],
    [
      'an index prefix with an underscore',
      withSection('index', { prefix: 'my_idx' }),
      /^index\.prefix: must match \[a-z0-9-\]\+/,
    ],
    ['a missing messages section', { sourceId: 'acme' }, /^messages: is required/],
    ['a missing startDate', { sourceId: 'acme', messages: {} }, /^messages\.startDate: is required$/],
    [
      'a startDate that is no date',
      withSection('messages', { startDate: 'yesterday' }),
      /^messages\.startDate: "yesterday" is not a date/,
    ],
    [
      'pageSize 0',
      withSection('performance', { pageSize: 0 }),
      /^performance\.pageSize: must be between 1 and 500/,
    ],
    [
      'pageSize 501',
      withSection('performance', { pageSize: 501 }),
      /^performance\.pageSize: must be between 1 and 500/,
    ],
    [
      'a positive deltaTokenOffsetMinutes',
      withSection('performance', { deltaTokenOffsetMinutes: 5 }),
      /^performance\.deltaTokenOffsetMinutes: must be ≤ 0: a positive offset would skip/,
    ],
    [
      'a positive authTokenOffsetSeconds',
      withSection('performance', { authTokenOffsetSeconds: 10 }),
      /^performance\.authTokenOffsetSeconds: must be ≤ 0/,
    ],
    [
      'an authTokenOffsetSeconds beyond the token lifetime',
      withSection('performance', { authTokenOffsetSeconds: -1800 }),
      /^performance\.authTokenOffsetSeconds: must be ≥ -1500/,
    ],
    [
      'a zero retryAfterMultiplier',
      withSection('performance', { retryAfterMultiplier: 0 }),
      /^performance\.retryAfterMultiplier: must be > 0/,
    ],
    [
      'an unknown trace level',
      withSection('logging', { traceLevel: 'Verbose' }),
      /^logging\.traceLevel: .*"None".*"Calls".*"All"/,
    ],
    [
      'a negative stats interval',
      withSection('logging', { statsIntervalSeconds: -1 }),
      /^logging\.statsIntervalSeconds: must be ≥ 0/,
    ],
    [
      'an unknown expiredPolicy',
      withSection('messages', { expiredPolicy: 'archive' }),
      /^messages\.expiredPolicy: .*"delete".*"keep"/,
    ],
    [
      'a string where a number belongs',
      withSection('parallelism', { mailboxCrawling: '4' }),
      /^parallelism\.mailboxCrawling: .*expected number/,
    ],
    [
      'an empty credential name',
      withSection('connection', { credential: '' }),
      /^connection\.credential: must name a credential/,
    ],
  ])('refuses %s', (_name, input, message) => {
    const problems = problemsOf(input);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  it('refuses endDate before startDate, naming both', () => {
    const problems = problemsOf(withSection('messages', { startDate: '2024-03-01', endDate: '2024-02-01' }));
    expect(problems).toEqual([
      'messages.endDate: 2024-02-01T23:59:59Z is before messages.startDate 2024-03-01T00:00:00Z',
    ]);
  });

  it('shows an invalid regex with its pattern and the parser message', () => {
    const problems = problemsOf(withSection('mailboxes', { included: ['^ok$', 'a(b'] }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^mailboxes\.included\[1\]: invalid regex \/a\(b\/: .*Unterminated group/);
  });

  it.each([
    [
      'mailboxes',
      'excluded',
      '.*',
      /^mailboxes\.excluded\[0\]: \/\.\*\/ matches everything, so no mailbox would be crawled/,
    ],
    ['mailboxes', 'excluded', '@', /^mailboxes\.excluded\[0\]: \/@\/ matches everything/],
    [
      'messages',
      'excludedSubjects',
      '^',
      /^messages\.excludedSubjects\[0\]: \/\^\/ matches everything, so no message would be indexed/,
    ],
    [
      'attachments',
      'excludedNames',
      '',
      /^attachments\.excludedNames\[0\]: \/\/ matches everything.*attachments\.extract to false/,
    ],
  ])('refuses an exclusion in %s.%s that matches everything (%s)', (section, key, pattern, message) => {
    const problems = problemsOf(withSection(section, { [key]: [pattern] }));
    expect(problems).toEqual([expect.stringMatching(message)]);
  });

  it('accepts narrow exclusions and catch-all inclusions', () => {
    const s = parseSettingsStrict({
      ...base,
      mailboxes: { included: ['.*'], excluded: ['^noreply@', 'archive'] },
      messages: { ...base.messages, excludedSubjects: ['^\\[spam\\]'] },
      attachments: { excludedNames: ['\\.(png|gif)$'] },
    });
    expect(s.mailboxes.excluded).toEqual(['^noreply@', 'archive']);
  });

  it.each([
    ['connection.apiEndpoint', 'http://api.services.mimecast.com', /plain http only on loopback/],
    ['connection.apiEndpoint', 'https://eu-api.mimecast.com', /API 1\.0 \(HMAC\) host/],
    ['connection.authEndpoint', 'https://api.mimecast.com/oauth/token', /API 1\.0 \(HMAC\) host/],
    ['connection.apiEndpoint', 'not a url', /is not a URL/],
  ])('refuses %s = %s', (field, value, message) => {
    const key = field.split('.')[1];
    const problems = problemsOf(withSection('connection', { [key]: value }));
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${field.replace('.', '\\.')}: `))]);
    expect(problems[0]).toMatch(message);
  });

  it('accepts the simulator on loopback over plain http', () => {
    const s = parseSettingsStrict(
      withSection('connection', {
        apiEndpoint: 'http://127.0.0.1:8089',
        authEndpoint: 'http://localhost:8089/oauth/token',
      }),
    );
    expect(s.connection.apiEndpoint).toBe('http://127.0.0.1:8089');
  });

  it('accepts plain http to a host the development switch names, and only there', () => {
    const docker = withSection('connection', {
      apiEndpoint: 'http://simulator:8089',
      authEndpoint: 'http://simulator:8089/oauth/token',
    });
    expect(problemsOf(docker)).toEqual([
      expect.stringMatching(/^connection\.apiEndpoint: .*MIMECAST_DEV_HOSTS/),
      expect.stringMatching(/^connection\.authEndpoint: /),
    ]);
    const s = parseSettingsStrict(docker, { developmentHosts: ['simulator'] });
    expect(s.connection.apiEndpoint).toBe('http://simulator:8089');
  });

  it('reports the rules across fields together with the field errors', () => {
    const problems = problemsOf({
      sourceId: 'acme',
      messages: { startDate: '2024-03-01', endDate: '2024-01-01', maxMessageBytes: -1 },
      mailboxes: { excluded: ['.*'] },
      performance: { pageSize: 0 },
      connection: { apiEndpoint: 'http://api.services.mimecast.com' },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^messages\.maxMessageBytes: /),
        expect.stringMatching(/^performance\.pageSize: /),
        expect.stringMatching(/^messages\.endDate: .* is before messages\.startDate/),
        expect.stringMatching(/^mailboxes\.excluded\[0\]: .*matches everything/),
        expect.stringMatching(/^connection\.apiEndpoint: .*refused/),
      ]),
    );
    expect(problems).toHaveLength(5);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({
      sourceId: 'A',
      messages: { startDate: '2024-01-01' },
      performance: { pageSize: 0, deltaTokenOffsetMinutes: 1 },
    });
    expect(problems).toHaveLength(3);
  });
});

describe('lenient settings (workflow inputs)', () => {
  it('ignores unknown keys so old or newer schedules keep parsing', () => {
    const s = parseSettingsLenient({ ...base, retired: true, performance: { pageSize: 50, legacyKnob: 1 } });
    expect(s.performance.pageSize).toBe(50);
    expect(s.performance.retryAfterMultiplier).toBe(1000);
  });

  it('parses its own output again unchanged (settings carried through continue-as-new)', () => {
    const once = parseSettingsLenient(withSection('messages', { endDate: '2024-06-30' }));
    expect(parseSettingsLenient(once)).toEqual(once);
  });

  it('does not evaluate regexes (a workflow must never compile user patterns)', () => {
    expect(() => parseSettingsLenient(withSection('mailboxes', { excluded: ['(', '.*'] }))).not.toThrow();
  });

  it('still refuses values of the wrong type, naming the field', () => {
    expect(() => parseSettingsLenient({ sourceId: 'acme' })).toThrow(/messages: is required/);
  });
});
