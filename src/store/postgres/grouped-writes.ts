// Commits of whole-record puts (a quiz answer, a lesson's practice) that
// arrive while earlier ones are still being written are sent together, as
// one statement and one transaction, as soon as a statement slot frees up.
// A lone commit goes at once, so a quiet school waits for nothing; a class
// answering together shares transactions and WAL flushes instead of
// queueing for them one by one (the embedded store's journal groups its
// writes the same way). Every commit is still acknowledged only once it is
// in the database.
//
// Commits that fail together are tried again one by one, so each gets the
// outcome it would have had alone: one commit's conflict never refuses
// another's answer.

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class GroupedWrites<T> {
  private waiting: Waiting<T>[] = [];
  private inFlight = 0;

  constructor(
    /** how many statements may be under way at once */
    private readonly slots: number,
    /** writes these items in one transaction */
    private readonly write: (items: T[]) => Promise<void>,
  ) {}

  /** Resolves once the item is written (with others or alone); rejects with the error it got alone. */
  submit(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.inFlight >= this.slots || !this.waiting.length) return;
    const group = this.waiting;
    this.waiting = [];
    this.inFlight++;
    this.writeGroup(group).finally(() => {
      this.inFlight--;
      this.next();
    });
  }

  private async writeGroup(group: Waiting<T>[]): Promise<void> {
    try {
      await this.write(group.map((one) => one.item));
      for (const one of group) one.resolve();
    } catch (error) {
      if (group.length === 1) return group[0].reject(error);
      await Promise.all(group.map((one) => this.write([one.item]).then(one.resolve, one.reject)));
    }
  }
}
