/**
 * The documents just above and just below the threshold, for the report: the K kept docs
 * with the lowest scores and the K dropped docs with the highest (masked docs excluded).
 * Order is (score, tie) so merging shard results in any order gives the same lists.
 */
export interface NearDoc {
  id: string;
  shard: string;
  line: number;
  score: number;
  text: string;
  benchmark?: string;
  /** Tie-break uniform, so merges are deterministic. */
  tie?: number;
}

/** a before b in the global keep order (higher score first, then lower tie). */
function before(a: NearDoc, b: NearDoc): boolean {
  return a.score > b.score || (a.score === b.score && (a.tie ?? 0) < (b.tie ?? 0));
}

export class NearThreshold {
  private above: NearDoc[] = [];
  private below: NearDoc[] = [];
  constructor(readonly k: number) {}

  /** `make` builds the doc only when it enters a list, so the hot path allocates nothing. */
  offer(kept: boolean, score: number, tie: number, make: () => NearDoc): void {
    if (this.k <= 0 || score === -Infinity) return;
    const probe = { score, tie } as NearDoc;
    if (kept) {
      // keep the lowest-ranked kept docs: replace the best-ranked one when this ranks lower
      if (this.above.length >= this.k && !before(this.above[0], probe)) return;
      this.insert(this.above, { ...make(), tie }, (a, b) => before(a, b));
    } else {
      if (this.below.length >= this.k && !before(probe, this.below[this.below.length - 1])) return;
      this.insert(this.below, { ...make(), tie }, (a, b) => before(a, b));
    }
  }

  private insert(list: NearDoc[], d: NearDoc, lt: (a: NearDoc, b: NearDoc) => boolean): void {
    let i = 0;
    while (i < list.length && lt(list[i], d)) i++;
    list.splice(i, 0, d);
    if (list.length > this.k) {
      if (list === this.above) list.shift();
      else list.pop();
    }
  }

  merge(other: { above: NearDoc[]; below: NearDoc[] }): this {
    for (const d of other.above) this.offer(true, d.score, d.tie ?? 0, () => d);
    for (const d of other.below) this.offer(false, d.score, d.tie ?? 0, () => d);
    return this;
  }

  /** Both lists in keep order (best first). */
  result(): { above: NearDoc[]; below: NearDoc[] } {
    return { above: this.above.slice(), below: this.below.slice() };
  }
}
