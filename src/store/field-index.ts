// A secondary index of the embedded store: for each value of one field, the
// ids of the records holding it. A district has a million records, so the
// index is built for memory and for start-up: most values are held by a few
// dozen records (a student's attempts), and those ids are kept in a plain
// list, a third of the memory of a Set and far quicker to fill; a value held
// by many records (every user of a school) switches to a Set, so that taking
// one id out never means searching a long list.

/** Lists longer than this become Sets. */
export const LIST_LIMIT = 64;

class Postings {
  ids: string[] | Set<string>;
  constructor(
    /** the value, as first stored: records holding it can share this one string */
    readonly key: string,
    first: string,
  ) {
    this.ids = [first];
  }
}

export class FieldIndex {
  private postings = new Map<string, Postings>();

  /**
   * Records `id` under `key`, which it must not be under yet (the store takes
   * an id out of its old key before adding it to a new one). Returns the key
   * as the index holds it, so the record can share that string.
   */
  add(key: string, id: string): string {
    const postings = this.postings.get(key);
    if (postings === undefined) {
      this.postings.set(key, new Postings(key, id));
      return key;
    }
    const { ids } = postings;
    if (!Array.isArray(ids)) ids.add(id);
    else if (ids.length < LIST_LIMIT) ids.push(id);
    else postings.ids = new Set(ids).add(id);
    return postings.key;
  }

  /** `key` as the index holds it, when any record holds it. */
  sharedKey(key: string): string | undefined {
    return this.postings.get(key)?.key;
  }

  remove(key: string, id: string): void {
    const postings = this.postings.get(key);
    if (postings === undefined) return;
    const { ids } = postings;
    if (Array.isArray(ids)) {
      const at = ids.indexOf(id);
      if (at !== -1) ids.splice(at, 1);
    } else {
      ids.delete(id);
    }
    if ((Array.isArray(ids) ? ids.length : ids.size) === 0) this.postings.delete(key);
  }

  /** The ids under `key`, oldest first; nothing when there are none. */
  ids(key: string): Iterable<string> {
    return this.postings.get(key)?.ids ?? [];
  }
}
