// Public types of the Mimecast API 2.0 simulator: options, switches, faults, corpus summaries.

export type PresetName =
  | 'tiny'
  | 'small'
  | 'medium'
  | 'large'
  | 'huge-mailbox'
  | 'latency-32'
  | 'demo'
  | 'hostile'
  | 'odd'
  | 'many-mailboxes';

export type View = 'INBOX' | 'SENT';

export interface SimulatorSwitches {
  listOrder: 'newest-first' | 'oldest-first' | 'unstable';
  pageTokenBinding: boolean;
  pageTokenTtlSeconds: number | null;
  lastPage: 'empty-with-next' | 'no-next';
  download: 'bytes' | 'link' | 'links';
  linkOrigin: 'same' | 'foreign';
  unauthorizedBody: 'flat' | 'nested' | 'oauth';
  appForbidden: '403' | '200-fail';
  listToShape: 'object' | 'array';
  rfc822Refused: boolean | string[];
  pageSizeCap: number;
  /** Extension: include meta.pagination.totalCount (optional in the real API). */
  totalCount: boolean;
  forbiddenEndpoints: string[];
  /** Extension: paths answering a plain 403 for a missing role permission (not app_forbidden). */
  roleMissingEndpoints: string[];
}

export interface FaultSpec {
  rate429: number;
  rate5xx: number;
  latencyMs: number;
  tokenExpireSeconds: number | null;
  failIds: string[];
  malformedJsonRate: number;
  slowDownloadMs: number;
  /** Share of messages whose downloads trickle over slowDownloadMs (0: every download does). */
  slowShare: number;
  /** Share of list records served with a defect (no id, no or a bad `received`, a mistyped size). */
  oddRecordShare: number;
  retryAfterHeader: boolean;
  rateLimit: { limit: number; windowMs: number } | null;
}

export interface SimulatorCredential {
  clientId: string;
  clientSecret: string;
}

export interface SimulatorOptions {
  port?: number;
  /** Listen address (default 127.0.0.1; 0.0.0.0 inside a container). */
  host?: string;
  preset?: PresetName;
  /** Only the preset's first N mailboxes (e.g. 2,500 of many-mailboxes). */
  mailboxCount?: number;
  seed?: number;
  credentials?: SimulatorCredential[];
  tokenTtlSeconds?: number;
  switches?: Partial<SimulatorSwitches>;
  faults?: Partial<FaultSpec> | string;
  clock?: () => number;
  /** Adds hostile attachments (decompression bombs, a PDF that makes naive parsers spin). */
  hostile?: boolean;
  /** Port of the "foreign host" listener (0 = random). */
  foreignPort?: number;
}

export interface SimDomain {
  id: string;
  domain: string;
  sendOnly: boolean;
  local: boolean;
  inboundType: 'any' | 'smtp' | 'ldap' | 'known';
}

export type AddressType =
  'created_by_ldap_sync' | 'created_manually' | 'created_by_import' | 'dl_from_ldap' | 'created_by_email';

export interface SimUser {
  emailAddress: string;
  addressType: AddressType;
  alias: boolean;
  name: string;
  domain: string;
}

export interface SimMessageSummary {
  id: string;
  /** Mimecast format, yyyy-MM-ddTHH:mm:ss+0000 (as served by get-message-list). */
  received: string;
  receivedAt: Date;
  subject: string;
  /** The size get-message-list reports (an estimate; get-message-detail's size is exact). */
  size: number;
  attachmentCount: number;
  expired: boolean;
  recalled: boolean;
}

export interface AddMessagesOptions {
  view?: View;
  received?: Date;
  sameSecond?: boolean;
}

export interface SimulatorControl {
  listDomains(): SimDomain[];
  listUsers(): SimUser[];
  mailboxes(): string[];
  expectedMessages(mailbox: string, view: View, range?: { start: Date; end: Date }): SimMessageSummary[];
  /** Number of messages expectedMessages would return, without building them (cheap on big presets). */
  messageCount(mailbox: string, view: View, range?: { start: Date; end: Date }): number;
  addMessages(mailbox: string, count: number, opts?: AddMessagesOptions): SimMessageSummary[];
  addLateMessage(mailbox: string, view: View, received: Date): SimMessageSummary;
  deleteMessage(mailbox: string, view: View, id: string): void;
  removeMailbox(address: string): void;
  addMailbox(address: string, domain: string, messageCount: number): void;
  setSwitches(p: Partial<SimulatorSwitches>): void;
  setFaults(p: Partial<FaultSpec>): void;
  switches(): SimulatorSwitches;
  faults(): FaultSpec;
  counters(): Record<string, number>;
  resetCounters(): void;
  foreignAuthorizationSeen(): boolean;
  /** Every access token the simulator issued (fault suite: no token may appear in histories, logs or the index). */
  issuedTokens(): string[];
  messageRfc822(id: string): Buffer;
  /** Async variant of messageRfc822 (messageRfc822 is sync and builds on demand). */
  messageRfc822Async(id: string): Promise<Buffer>;
  /** Decoded bytes of one attachment, as get-file serves them. */
  attachmentBytes(attachmentId: string): Buffer;
  /** Advance the simulator's own clock offset (ms), for token/page-token expiry tests without a custom clock. */
  advanceClock(ms: number): void;
}

export interface RunningSimulator {
  url: string;
  foreignUrl: string;
  control: SimulatorControl;
  credentials: SimulatorCredential[];
  close(): Promise<void>;
}
