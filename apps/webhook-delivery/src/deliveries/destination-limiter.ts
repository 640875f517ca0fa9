/**
 * Counts attempts in flight per destination origin, so that one slow or
 * hanging endpoint can hold at most `limit` of a worker's slots.
 */
export class DestinationLimiter {
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly limit: number) {}

  /** Takes a slot for `origin`; returns false when all its slots are taken. */
  tryAcquire(origin: string): boolean {
    const current = this.inFlight.get(origin) ?? 0;
    if (current >= this.limit) {
      return false;
    }
    this.inFlight.set(origin, current + 1);

    return true;
  }

  release(origin: string): void {
    const current = this.inFlight.get(origin) ?? 0;
    if (current <= 1) {
      this.inFlight.delete(origin);
    } else {
      this.inFlight.set(origin, current - 1);
    }
  }
}

/** Origin of `url` for limiting, or the raw string when it is not a URL. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
