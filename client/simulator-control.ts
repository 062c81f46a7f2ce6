// HTTP client of the simulator's /__control surface, for the demo (which runs the simulator as
// a separate process): API call counters and adding messages.
export class SimulatorControlClient {
  constructor(private readonly baseUrl: string) {}

  private async call<T>(op: string, body: object = {}): Promise<T> {
    const response = await fetch(`${this.baseUrl.replace(/\/$/, '')}/__control/${op}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const reply = (await response.json().catch(() => ({}))) as { ok?: boolean; result?: T; error?: string };
    if (!response.ok || !reply.ok)
      throw new Error(`simulator control ${op}: ${reply.error ?? `HTTP ${response.status}`}`);
    return reply.result as T;
  }

  counters(): Promise<Record<string, number>> {
    return this.call('counters');
  }

  resetCounters(): Promise<void> {
    return this.call('reset-counters');
  }

  mailboxes(): Promise<string[]> {
    return this.call('mailboxes');
  }

  addMessages(
    mailbox: string,
    count: number,
    view: 'INBOX' | 'SENT' = 'INBOX',
  ): Promise<{ id: string; subject: string; expired: boolean; recalled: boolean }[]> {
    return this.call('add-messages', { mailbox, count, view });
  }
}

/** `/api/...` calls by endpoint, the total first ("API calls": docs/architecture.md, Index contract). */
export function apiCallsByEndpoint(counters: Record<string, number>): {
  total: number;
  byEndpoint: [string, number][];
} {
  const byEndpoint = Object.entries(counters)
    .filter(([key]) => key.startsWith('/api/'))
    .sort(([a], [b]) => a.localeCompare(b));
  return { total: byEndpoint.reduce((sum, [, n]) => sum + n, 0), byEndpoint };
}
