// The seeded, lazy archive: a directory of domains and users, and per mailbox/view only an index of received
// seconds; message contents are derived on demand from (seed, mailbox, view, index).
import { SeededRandom, hash32 } from './seeded-random';
import { encodeMessageId, type MessageRef } from './opaque-ids';
import { presetPlan, type PresetPlan } from './presets';
import { formatMimecastDate } from './mimecast-date';
import type { Addr, MessageSpec } from './message-spec';
import { EXTERNAL, composeMessageSpec } from './message-traits';
import { ViewIndex, lowerBound, type ListQuery, type Listing } from './view-index';
import { buildSharedPool, type SharedEntry } from './shared-pool';
import {
  directoryUsers,
  distributionListsFor,
  domainId,
  newMailboxRecord,
  type MailboxRecord,
} from './directory';
import type { AddressType, SimDomain, SimMessageSummary, SimUser, View } from './types';

// Module-level copies of globals: a global lookup per call is very slow inside jest's vm context.
const NodeMath = Math;
const F64 = Float64Array;
const I32 = Int32Array;
const NodeDate = Date;

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
      id: domainId(seed, d.domain),
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
    for (const d of this.domains) this.extraUsers.push(...distributionListsFor(seed, d.domain));
    this.pool = buildSharedPool(plan, seed, this.anchorSec, this.records);
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
    const r = newMailboxRecord(this.records.length, address, domain, counts, addressType);
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
    const users = directoryUsers(this.records);
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
        id: domainId(this.seed, domain),
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
    return composeMessageSpec(
      rnd,
      { ref, id, receivedSec, from, to, toAlias },
      (address) => this.person(address),
      this.hostile,
      this.plan.plainRate,
    );
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
