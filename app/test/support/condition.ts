/**
 * Waiting for a condition that events make true, without sleeping: whatever can change the condition calls
 * `changed()` (a message arrived, a subscriber left), and `until` re-checks only then. A condition that never
 * becomes true ends in the test's timeout.
 */
export class Condition {
  private waiters: (() => void)[] = [];

  changed(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  async until(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}
