// A bounded cache of verified tokens, so a repeated token skips signature work; an entry never outlives its `exp`.

export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAtMs: number }>();

  constructor(private readonly maxEntries: number) {}

  get(token: string, nowMs: number): T | undefined {
    const hit = this.entries.get(token);
    if (hit === undefined) return undefined;
    if (hit.expiresAtMs <= nowMs) {
      this.entries.delete(token);
      return undefined;
    }
    return hit.value;
  }

  set(token: string, value: T, expiresAtMs: number, nowMs: number): void {
    if (this.maxEntries === 0 || expiresAtMs <= nowMs) return;
    if (this.entries.size >= this.maxEntries) {
      // Oldest insertion goes first: Map iterates in insertion order.
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    this.entries.set(token, { value, expiresAtMs });
  }

  get size(): number {
    return this.entries.size;
  }
}
