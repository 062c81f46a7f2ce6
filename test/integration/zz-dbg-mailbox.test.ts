import { WorkerHarness } from '../helpers/worker-harness';
jest.setTimeout(120000);
it('dbg', async () => {
  const h = await WorkerHarness.start({ name: 'dbg' });
  try {
    const DAY = 86400000;
    const mailbox = 'bob@example.com';
    h.sim.control.setSwitches({ listOrder: 'oldest-first' });
    h.sim.control.addMessages(mailbox, 12, { sameSecond: true, received: new Date(Date.now() - 5 * DAY) });
    const s = h.settings({ messages: { startDate: new Date(Date.now() - 45 * DAY).toISOString() }, performance: { pageSize: 5 } });
    const client = h.deps.mimecast.forSettings(s);
    let token: string | undefined;
    const start = new Date(Date.now() - 15 * DAY).toISOString().replace(/\.\d+Z/, 'Z');
    const end = new Date().toISOString().replace(/\.\d+Z/, 'Z');
    for (let i = 0; i < 6; i++) {
      const p = await client.listMessagesPage({ mailbox, view: 'INBOX', start, end, pageSize: 5, pageToken: token });
      console.log(i, p.records.map((r) => r.received + ' ' + r.id.slice(-6)), !!p.nextPageToken);
      token = p.nextPageToken;
      if (!token) break;
    }
  } finally { await h.teardown(); }
});
