// The seeded, lazy archive: a directory of domains and users, and per mailbox/view only an index of received
// seconds; message contents are derived on demand from (seed, mailbox, view, index).
import { SeededRandom, hash32 } from './seeded-random';
import { encodeMessageId, type MessageRef } from './opaque-ids';
import { presetPlan, type PresetPlan } from './presets';
import { HOSTILE_KINDS, attachmentPayload, type AttachmentKind } from './attachment-factory';
import { formatMimecastDate } from './mimecast-date';
import type { AddressType, SimDomain, SimMessageSummary, SimUser, View } from './types';

// Module-level copies of globals: a global lookup per call is very slow inside jest's vm context.
const NodeMath = Math;
const F64 = Float64Array;
const I32 = Int32Array;
const NodeArray = Array;
const NodeDate = Date;
const NodeBuffer = Buffer;

export interface Addr {
  emailAddress: string;
  displayableName: string;
}

export type SpecialKind = 'eml' | 'p7s' | 'p7m';
export interface AttachmentSpec {
  kind: AttachmentKind | SpecialKind;
  variant: number;
}

export interface MessageSpec {
  ref: MessageRef;
  id: string;
  receivedSec: number;
  subject: string;
  from: Addr;
  to: Addr[];
  cc: Addr[];
  replyTo: Addr | null;
  envelopeFrom: Addr | null;
  body: 'text' | 'html' | 'both';
  structure: 'mixed' | 'smime-signed' | 'smime-opaque';
  attachments: AttachmentSpec[];
  expired: boolean;
  recalled: boolean;
  read: boolean;
  toAlias: string | null;
  /** A phrase unique to this message, present in its body. */
  marker: string;
  sizeEstimate: number;
}

interface MailboxRecord {
  idx: number;
  address: string;
  domain: string;
  name: string;
  addressType: AddressType;
  removed: boolean;
  aliases: string[];
  delegateOf: number[];
  counts: Record<View, number>;
  views: Partial<Record<View, ViewIndex>>;
}

interface SharedEntry {
  timeSec: number;
  sender: number;
  recipients: number[];
}

class ViewIndex {
  baseTimes: Float64Array;
  extras = new Map<number, number>();
  deleted = new Set<number>();
  shared: number[] = [];
  deletedShared = new Set<number>();
  nextIndex: number;
  private merged: { times: Float64Array; refs: Int32Array } | null = null;
  constructor(baseTimes: Float64Array) {
    this.baseTimes = baseTimes;
    this.nextIndex = baseTimes.length;
  }
  invalidate(): void {
    this.merged = null;
  }
  /** All live entries sorted by received second (ascending), refs: local index ≥ 0, shared k as -(k+1). */
  sorted(pool: SharedEntry[]): { times: Float64Array; refs: Int32Array } {
    if (this.merged) return this.merged;
    const n = this.baseTimes.length;
    if (!this.extras.size && !this.deleted.size && !this.shared.length) {
      const refs = new I32(n);
      for (let i = 0; i < n; i++) refs[i] = i;
      this.merged = { times: this.baseTimes, refs };
      return this.merged;
    }
    const refs: number[] = [];
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      if (!this.deleted.has(i)) {
        refs.push(i);
        times.push(this.baseTimes[i]);
      }
    }
    for (const [i, t] of this.extras) {
      if (!this.deleted.has(i)) {
        refs.push(i);
        times.push(t);
      }
    }
    for (const k of this.shared) {
      if (!this.deletedShared.has(k)) {
        refs.push(-(k + 1));
        times.push(pool[k].timeSec);
      }
    }
    const order = NodeArray.from(refs.keys()).sort((a, b) => times[a] - times[b] || refs[a] - refs[b]);
    this.merged = {
      times: F64.from(order, (o) => times[o]),
      refs: I32.from(order, (o) => refs[o]),
    };
    return this.merged;
  }
  has(index: number): boolean {
    return !this.deleted.has(index) && (index < this.baseTimes.length || this.extras.has(index));
  }
  timeOf(index: number): number | undefined {
    return index < this.baseTimes.length ? this.baseTimes[index] : this.extras.get(index);
  }
}

/** One result set of get-message-list, ascending by received second. */
export interface Listing {
  count: number;
  times: Float64Array;
  mbx: Int32Array | number;
  refs: Int32Array;
}

export interface ListQuery {
  mailbox: string;
  view: View;
  startSec: number;
  endSec: number;
  includeAliases: boolean;
  includeDelegates: boolean;
}

const SUBJECT_TOPICS = [
  'Q1 plan',
  'budget review',
  'weekly sync',
  'invoice',
  'contract draft',
  'offsite',
  'hiring update',
  'release notes',
  'incident report',
  'board deck',
];
const UNICODE_SUBJECTS = [
  'Réunion — ordre du jour ✓',
  '会议纪要 📅',
  'Ünïcödé Grüße aus Köln',
  'Привет: отчёт',
  'مرحبا بالعالم',
  '🚀 Launch día',
];
const EXTERNAL = [
  'partner@vendor.test',
  'billing@supplier.test',
  'news@newsletter.test',
  'ceo@customer.test',
  'noreply@service.test',
];
const ATTACHMENT_MIX: [AttachmentKind | SpecialKind | 'pdf+xlsx' | 'ics+docx', number][] = [
  ['pdf', 14],
  ['docx', 10],
  ['xlsx', 10],
  ['csv', 4],
  ['txt', 5],
  ['binary', 6],
  ['png', 4],
  ['nameless', 5],
  ['ics', 6],
  ['tnef', 6],
  ['eml', 6],
  ['p7s', 6],
  ['p7m', 4],
  ['pdf+xlsx', 8],
  ['ics+docx', 6],
];
const MIX_TOTAL = ATTACHMENT_MIX.reduce((n, [, w]) => n + w, 0);

export class Corpus {
  readonly plan: PresetPlan;
  readonly seed: number;
  readonly anchorSec: number;
  readonly hostile: boolean;
  private domains: SimDomain[];
  private records: MailboxRecord[] = [];
  private byAddress = new Map<string, MailboxRecord>();
  private aliasOwner = new Map<string, number>();
  private extraUsers: SimUser[] = [];
  private pool: SharedEntry[] = [];

  constructor(plan: PresetPlan, seed: number, anchorMs: number, hostile: boolean) {
    this.plan = plan;
    this.seed = seed;
    this.anchorSec = NodeMath.floor(anchorMs / 1000) - 60;
    this.hostile = hostile || plan.hostile;
    this.domains = plan.domains.map((d) => ({
      id: 'eNpVdom' + NodeBuffer.from(`${seed}:${d.domain}`).toString('base64').replace(/=+$/, ''),
      ...d,
    }));
    const types: AddressType[] = ['created_by_ldap_sync', 'created_manually', 'created_by_import'];
    for (const m of plan.mailboxes)
      this.addRecord(
        `${m.local}@${m.domain}`,
        m.domain,
        { INBOX: m.inbox, SENT: m.sent },
        types[this.records.length % 3],
      );
    // Aliases for every third mailbox, and the second mailbox of the first domain is a delegate of the first.
    this.records.forEach((r, i) => {
      if (i % 3 === 0) {
        const alias = `${r.address.split('@')[0]}.alias@${r.domain}`;
        r.aliases.push(alias);
        this.aliasOwner.set(alias, r.idx);
      }
    });
    if (this.records.length > 1) this.records[1].delegateOf.push(0);
    for (const d of this.domains) {
      this.extraUsers.push(
        {
          emailAddress: `team@${d.domain}`,
          addressType: 'dl_from_ldap',
          alias: false,
          name: `Team ${d.domain}`,
          domain: d.domain,
        },
        {
          emailAddress: `all-staff@${d.domain}`,
          addressType: 'dl_from_ldap',
          alias: false,
          name: 'All staff',
          domain: d.domain,
        },
        {
          emailAddress: `bounce-${hash32(seed, d.domain) % 1000}@${d.domain}`,
          addressType: 'created_by_email',
          alias: false,
          name: '',
          domain: d.domain,
        },
      );
    }
    const rnd = SeededRandom.of(seed, 'shared-pool');
    const live = this.records.filter((r) => r.counts.INBOX + r.counts.SENT > 0);
    if (live.length >= 2) {
      for (let k = 0; k < plan.sharedCount; k++) {
        const sender = live[rnd.int(live.length)].idx;
        const recipients = new Set<number>();
        const want = 1 + rnd.int(3);
        for (let t = 0; t < want * 3 && recipients.size < want; t++) {
          const r = live[rnd.int(live.length)].idx;
          if (r !== sender) recipients.add(r);
        }
        const timeSec = this.anchorSec - rnd.int(plan.spanDays * 86400);
        this.pool.push({ timeSec, sender, recipients: [...recipients] });
      }
    }
  }

  static fromPreset(
    name: Parameters<typeof presetPlan>[0],
    seed: number,
    anchorMs: number,
    hostile = false,
  ): Corpus {
    return new Corpus(presetPlan(name), seed, anchorMs, hostile);
  }

  private addRecord(
    address: string,
    domain: string,
    counts: Record<View, number>,
    addressType: AddressType,
  ): MailboxRecord {
    const local = address.split('@')[0];
    const r: MailboxRecord = {
      idx: this.records.length,
      address: address.toLowerCase(),
      domain,
      name: local.charAt(0).toUpperCase() + local.slice(1),
      addressType,
      removed: false,
      aliases: [],
      delegateOf: [],
      counts,
      views: {},
    };
    this.records.push(r);
    this.live = null;
    this.byAddress.set(r.address, r);
    return r;
  }

  private live: MailboxRecord[] | null = null;
  private liveRecords(): MailboxRecord[] {
    this.live ??= this.records.filter((r) => !r.removed);
    return this.live;
  }

  // ---- directory ----

  listDomains(): SimDomain[] {
    return this.domains.map((d) => ({ ...d }));
  }

  listUsers(): SimUser[] {
    const users: SimUser[] = [];
    for (const r of this.records) {
      if (r.removed) continue;
      users.push({
        emailAddress: r.address,
        addressType: r.addressType,
        alias: false,
        name: r.name,
        domain: r.domain,
      });
      for (const a of r.aliases)
        users.push({
          emailAddress: a,
          addressType: r.addressType,
          alias: true,
          name: r.name,
          domain: r.domain,
        });
    }
    users.push(...this.extraUsers);
    return users;
  }

  mailboxes(): string[] {
    return this.records.filter((r) => !r.removed).map((r) => r.address);
  }

  mailboxRecord(address: string): MailboxRecord | undefined {
    const r = this.byAddress.get(address.toLowerCase());
    return r && !r.removed ? r : undefined;
  }

  removeMailbox(address: string): void {
    const r = this.mailboxRecord(address);
    if (!r) throw new Error(`no mailbox ${address}`);
    r.removed = true;
    this.live = null;
    for (const a of r.aliases) this.aliasOwner.delete(a);
  }

  addMailbox(address: string, domain: string, messageCount: number): void {
    const existing = this.byAddress.get(address.toLowerCase());
    if (existing && !existing.removed) throw new Error(`mailbox ${address} exists`);
    if (!this.domains.some((d) => d.domain === domain)) {
      this.domains.push({
        id: 'eNpVdom' + NodeBuffer.from(`${this.seed}:${domain}`).toString('base64').replace(/=+$/, ''),
        domain,
        sendOnly: false,
        local: false,
        inboundType: 'smtp',
      });
    }
    const sent = NodeMath.floor(messageCount / 4);
    this.addRecord(address, domain, { INBOX: messageCount - sent, SENT: sent }, 'created_manually');
  }

  // ---- per view index ----

  private viewIndex(r: MailboxRecord, view: View): ViewIndex {
    let v = r.views[view];
    if (v) return v;
    const n = r.counts[view];
    const rnd = SeededRandom.of(this.seed, 'times', r.address, view);
    const span = this.plan.spanDays * 86400;
    const times = new F64(n);
    for (let i = 0; i < n; i++) times[i] = this.anchorSec - NodeMath.floor(rnd.next() * span);
    times.sort();
    const cluster = NodeMath.min(this.plan.clusterSize, NodeMath.floor(n * 0.6));
    if (cluster >= 3) {
      const c0 = rnd.int(n - cluster);
      for (let i = c0; i < c0 + cluster; i++) times[i] = times[c0];
    }
    v = new ViewIndex(times);
    this.pool.forEach((e, k) => {
      if (view === 'SENT' ? e.sender === r.idx : e.recipients.includes(r.idx)) v!.shared.push(k);
    });
    r.views[view] = v;
    return v;
  }

  private aliasOf(r: MailboxRecord, view: View, index: number): string | null {
    if (view !== 'INBOX' || !r.aliases.length) return null;
    const h = hash32(this.seed, 'alias', r.address, index);
    return h % 10 === 0 ? r.aliases[(h >>> 8) % r.aliases.length] : null;
  }

  /** Resolves a list query to the matching entries, ascending by received second. */
  list(q: ListQuery): Listing {
    const empty: Listing = { count: 0, times: new F64(0), mbx: 0, refs: new I32(0) };
    const key = q.mailbox.toLowerCase();
    let r = this.mailboxRecord(key);
    let aliasFilter: string | null = null;
    if (!r) {
      const owner = this.aliasOwner.get(key);
      if (owner === undefined || !q.includeAliases) return empty;
      r = this.records[owner];
      aliasFilter = key;
    }
    const sources = [
      r.idx,
      ...(q.includeDelegates ? r.delegateOf.filter((i) => !this.records[i].removed) : []),
    ];
    const needFilter = aliasFilter !== null || (!q.includeAliases && r.aliases.length > 0);
    if (sources.length === 1 && !needFilter) {
      const s = this.viewIndex(r, q.view).sorted(this.pool);
      const lo = lowerBound(s.times, q.startSec);
      const hi = lowerBound(s.times, q.endSec + 1);
      return {
        count: NodeMath.max(0, hi - lo),
        times: s.times.subarray(lo, hi),
        mbx: r.idx,
        refs: s.refs.subarray(lo, hi),
      };
    }
    const rows: { t: number; m: number; ref: number }[] = [];
    for (const m of sources) {
      const rec = this.records[m];
      const s = this.viewIndex(rec, q.view).sorted(this.pool);
      const lo = lowerBound(s.times, q.startSec);
      const hi = lowerBound(s.times, q.endSec + 1);
      for (let i = lo; i < hi; i++) {
        const ref = s.refs[i];
        if (m === r.idx && needFilter) {
          const alias = ref >= 0 ? this.aliasOf(rec, q.view, ref) : null;
          if (aliasFilter !== null ? alias !== aliasFilter : alias !== null) continue;
        }
        if (m !== r.idx && ref < 0 && rows.some((x) => x.ref === ref)) continue; // a shared message once
        rows.push({ t: s.times[i], m, ref });
      }
    }
    rows.sort((a, b) => a.t - b.t || a.m - b.m || a.ref - b.ref);
    return {
      count: rows.length,
      times: F64.from(rows, (x) => x.t),
      mbx: I32.from(rows, (x) => x.m),
      refs: I32.from(rows, (x) => x.ref),
    };
  }

  refFor(mbx: number, view: View, ref: number): MessageRef {
    if (ref < 0) return { kind: 'shared', mailboxIdx: 0, view: 'INBOX', index: -ref - 1 };
    return { kind: 'local', mailboxIdx: mbx, view, index: ref };
  }

  /** Whether the message still exists somewhere in the archive. */
  exists(ref: MessageRef): boolean {
    if (ref.kind === 'shared') {
      const e = this.pool[ref.index];
      if (!e) return false;
      const holders: [number, View][] = [
        [e.sender, 'SENT'],
        ...e.recipients.map((r): [number, View] => [r, 'INBOX']),
      ];
      return holders.some(([m, v]) => {
        const rec = this.records[m];
        return !rec.removed && !this.viewIndex(rec, v).deletedShared.has(ref.index);
      });
    }
    const r = this.records[ref.mailboxIdx];
    return !!r && !r.removed && this.viewIndex(r, ref.view).has(ref.index);
  }

  // ---- message specs ----

  spec(ref: MessageRef): MessageSpec | null {
    if (!this.exists(ref)) return null;
    return this.specUnchecked(ref);
  }

  private person(address: string): Addr {
    const rec = this.byAddress.get(address);
    const local = address.split('@')[0];
    return {
      emailAddress: address,
      displayableName: rec ? rec.name : local.charAt(0).toUpperCase() + local.slice(1),
    };
  }

  specUnchecked(ref: MessageRef): MessageSpec {
    const id = encodeMessageId(ref);
    let owner: MailboxRecord;
    let receivedSec: number;
    let from: Addr;
    let to: Addr[];
    let toAlias: string | null = null;
    const rnd =
      ref.kind === 'shared'
        ? SeededRandom.of(this.seed, 'shared', ref.index)
        : SeededRandom.of(this.seed, 'msg', this.records[ref.mailboxIdx].address, ref.view, ref.index);
    const others = this.liveRecords();
    if (ref.kind === 'shared') {
      const e = this.pool[ref.index];
      owner = this.records[e.sender];
      receivedSec = e.timeSec;
      from = this.person(owner.address);
      to = e.recipients.map((m) => this.person(this.records[m].address));
    } else {
      owner = this.records[ref.mailboxIdx];
      receivedSec = this.viewIndex(owner, ref.view).timeOf(ref.index) ?? this.anchorSec;
      toAlias = this.aliasOf(owner, ref.view, ref.index);
      const external = rnd.pick(EXTERNAL);
      const colleague = others.length > 1 ? rnd.pick(others).address : external;
      if (ref.view === 'INBOX') {
        from = this.person(rnd.chance(0.5) ? external : colleague);
        to = [toAlias ? { emailAddress: toAlias, displayableName: owner.name } : this.person(owner.address)];
      } else {
        from = this.person(owner.address);
        to = [this.person(rnd.chance(0.5) ? external : colleague)];
        if (rnd.chance(0.3)) to.push(this.person(rnd.pick(EXTERNAL)));
      }
    }
    const cc: Addr[] = rnd.chance(0.3) ? [this.person(rnd.pick(EXTERNAL))] : [];
    const subjRoll = rnd.next();
    const subject =
      subjRoll < 0.05
        ? ''
        : subjRoll < 0.15
          ? rnd.pick(UNICODE_SUBJECTS)
          : `${rnd.pick(SUBJECT_TOPICS)} #${ref.index}`;
    const bodyRoll = rnd.next();
    const body: MessageSpec['body'] = bodyRoll < 0.15 ? 'html' : bodyRoll < 0.4 ? 'text' : 'both';
    let structure: MessageSpec['structure'] = 'mixed';
    const attachments: AttachmentSpec[] = [];
    const variant = rnd.int(6);
    if (this.hostile && rnd.chance(0.15)) {
      attachments.push({ kind: HOSTILE_KINDS[ref.index % HOSTILE_KINDS.length], variant: 0 });
    } else if (!rnd.chance(this.plan.plainRate)) {
      let roll = rnd.int(MIX_TOTAL);
      let pick = ATTACHMENT_MIX[0][0];
      for (const [k, w] of ATTACHMENT_MIX) {
        if (roll < w) {
          pick = k;
          break;
        }
        roll -= w;
      }
      if (pick === 'pdf+xlsx')
        attachments.push({ kind: 'pdf', variant }, { kind: 'xlsx', variant: (variant + 1) % 6 });
      else if (pick === 'ics+docx') attachments.push({ kind: 'ics', variant }, { kind: 'docx', variant });
      else if (pick === 'p7s') {
        structure = 'smime-signed';
        attachments.push({ kind: 'p7s', variant });
      } else if (pick === 'p7m') {
        structure = 'smime-opaque';
        attachments.push({ kind: 'p7m', variant });
      } else attachments.push({ kind: pick, variant });
    }
    const marker = `simmsg${hash32(id).toString(36)}`;
    const spec: MessageSpec = {
      ref,
      id,
      receivedSec,
      subject,
      from,
      to,
      cc,
      replyTo: rnd.chance(0.5) ? from : null,
      envelopeFrom: rnd.chance(0.5)
        ? { emailAddress: `bounce@${from.emailAddress.split('@')[1]}`, displayableName: '' }
        : null,
      body: structure === 'smime-opaque' ? 'text' : body,
      structure,
      attachments,
      expired: rnd.chance(0.02),
      recalled: rnd.chance(0.01),
      read: rnd.chance(0.5),
      toAlias,
      marker,
      sizeEstimate: 0,
    };
    spec.sizeEstimate = estimateSize(spec);
    return spec;
  }

  summary(spec: MessageSpec): SimMessageSummary {
    return {
      id: spec.id,
      received: formatMimecastDate(spec.receivedSec * 1000),
      receivedAt: new NodeDate(spec.receivedSec * 1000),
      subject: spec.subject,
      size: spec.sizeEstimate,
      attachmentCount: spec.attachments.length,
      expired: spec.expired,
      recalled: spec.recalled,
    };
  }

  // ---- mutations ----

  addMessages(address: string, view: View, times: number[]): MessageRef[] {
    const r = this.mailboxRecord(address);
    if (!r) throw new Error(`no mailbox ${address}`);
    const v = this.viewIndex(r, view);
    const refs = times.map((t) => {
      const index = v.nextIndex++;
      v.extras.set(index, t);
      return this.refFor(r.idx, view, index);
    });
    v.invalidate();
    return refs;
  }

  deleteMessage(address: string, view: View, ref: MessageRef): void {
    const r = this.mailboxRecord(address);
    if (!r) throw new Error(`no mailbox ${address}`);
    const v = this.viewIndex(r, view);
    if (ref.kind === 'shared') {
      if (!v.shared.includes(ref.index)) throw new Error('message not in this mailbox view');
      v.deletedShared.add(ref.index);
    } else {
      if (ref.mailboxIdx !== r.idx || ref.view !== view || !v.has(ref.index))
        throw new Error('message not in this mailbox view');
      v.deleted.add(ref.index);
    }
    v.invalidate();
  }
}

export function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function estimateSize(spec: MessageSpec): number {
  let n = 420 + spec.subject.length * 2 + (spec.to.length + spec.cc.length) * 60;
  n += spec.body === 'both' ? 1100 : 500;
  for (const a of spec.attachments) {
    const len =
      a.kind === 'eml'
        ? 1400
        : a.kind === 'p7s'
          ? 600
          : a.kind === 'p7m'
            ? 2400
            : attachmentPayload(a.kind, a.variant).bytes.length;
    n += NodeMath.ceil(len / 57) * 78 + 220;
  }
  return n;
}
