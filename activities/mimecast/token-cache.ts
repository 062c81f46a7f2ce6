// OAuth2 access tokens of one (credential, token URL): cached until expiry + offset, refreshed by
// ONE request however many calls wait for it (a single-flight promise).

export interface FetchedToken {
  accessToken: string;
  expiresInSeconds: number;
}

export class TokenCache {
  private current?: { value: string; fetchedAt: number; expiresAt: number };
  private inflight?: Promise<string>;
  /** Token requests made (for tests and stats). */
  requests = 0;

  constructor(
    private readonly fetchToken: () => Promise<FetchedToken>,
    private readonly now: () => number = Date.now,
  ) {}

  /** A valid token; `offsetSeconds` (≤ 0) moves the expiry earlier (authTokenOffsetSeconds). */
  get(offsetSeconds: number): Promise<string> {
    const c = this.current;
    if (c && this.now() < c.expiresAt + offsetSeconds * 1000) return Promise.resolve(c.value);
    return this.refresh();
  }

  /** Drops `value` if it is still the cached token (a 401 proved it dead); newer tokens stay. */
  invalidate(value: string): void {
    if (this.current?.value === value) this.current = undefined;
  }

  /** Known token values, so trace output can scrub them even if they turn up somewhere odd. */
  knownValues(): string[] {
    return this.current ? [this.current.value] : [];
  }

  private refresh(): Promise<string> {
    if (!this.inflight) {
      this.requests += 1;
      this.inflight = this.fetchToken()
        .then((t) => {
          const fetchedAt = this.now();
          this.current = {
            value: t.accessToken,
            fetchedAt,
            expiresAt: fetchedAt + t.expiresInSeconds * 1000,
          };
          return t.accessToken;
        })
        .finally(() => {
          this.inflight = undefined;
        });
    }
    return this.inflight;
  }
}
