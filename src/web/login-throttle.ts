// Throttling of wrong passwords per client IP (sign-in, Basic, the password change).
type Clock = () => number;

// While refused, the password is not even checked, so guessing costs the box no scrypt time.

export class LoginThrottle {
  private readonly clients = new Map<string, { failures: number[]; lockedUntil: number }>();
  private readonly now: Clock;
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly lockMs: number;

  constructor(opts: { now?: Clock; maxFailures?: number; windowMs?: number; lockMs?: number } = {}) {
    [this.now, this.maxFailures] = [opts.now ?? Date.now, opts.maxFailures ?? 5];
    [this.windowMs, this.lockMs] = [opts.windowMs ?? 5 * 60_000, opts.lockMs ?? 60_000];
  }

  /** Milliseconds until `ip` may try again; 0 when it may try now. */
  retryAfterMs(ip: string): number {
    const c = this.clients.get(ip);
    return c ? Math.max(0, c.lockedUntil - this.now()) : 0;
  }

  fail(ip: string): void {
    const now = this.now();
    if (this.clients.size > 10_000) this.prune(now);
    const c = this.clients.get(ip) ?? { failures: [], lockedUntil: 0 };
    c.failures = c.failures.filter((t) => now - t < this.windowMs);
    c.failures.push(now);
    if (c.failures.length >= this.maxFailures) {
      c.lockedUntil = now + this.lockMs;
      c.failures = [];
    }
    this.clients.set(ip, c);
  }

  succeed(ip: string): void {
    this.clients.delete(ip);
  }

  private prune(now: number): void {
    for (const [ip, c] of this.clients) {
      if (c.lockedUntil <= now && c.failures.every((t) => now - t >= this.windowMs)) this.clients.delete(ip);
    }
  }
}

