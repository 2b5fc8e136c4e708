// The set of broker event ids seen so far, for the redelivery check, in flat typed arrays instead
// of a Map of strings: 12 bytes a slot (a 32-bit hash and where the line starts), no object per id,
// nothing for the garbage collector to walk. The ids themselves are not kept: a hash match is
// confirmed by reading the first delivery back (the caller's `confirm`), so a collision of hashes
// is never taken for a redelivery.

/** FNV-1a, 32 bits, over UTF-16 code units: stable on every machine and Node version. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const INITIAL_SLOTS = 1 << 12;
const LOAD_MAX = 0.75;

export class SeenIdTable {
  /** Hash of the id in each slot; 0 marks an empty slot (a hash of 0 is stored as 1). */
  private hashes = new Uint32Array(INITIAL_SLOTS);
  private positions = new Float64Array(INITIAL_SLOTS);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Where the id was first seen, or undefined; `confirm(pos)` says whether that line has this id. */
  find(id: string, confirm: (pos: number) => boolean): number | undefined {
    const h = fnv1a(id) || 1;
    const mask = this.hashes.length - 1;
    for (let i = h & mask; this.hashes[i] !== 0; i = (i + 1) & mask) {
      if (this.hashes[i] === h && confirm(this.positions[i]!)) return this.positions[i]!;
    }
    return undefined;
  }

  /** Records a new id (the caller has checked it is not there). */
  add(id: string, pos: number): void {
    if ((this.count + 1) > this.hashes.length * LOAD_MAX) this.grow();
    this.place(fnv1a(id) || 1, pos);
    this.count += 1;
  }

  private place(h: number, pos: number): void {
    const mask = this.hashes.length - 1;
    let i = h & mask;
    while (this.hashes[i] !== 0) i = (i + 1) & mask;
    this.hashes[i] = h;
    this.positions[i] = pos;
  }

  private grow(): void {
    const oldHashes = this.hashes;
    const oldPositions = this.positions;
    this.hashes = new Uint32Array(oldHashes.length * 2);
    this.positions = new Float64Array(oldHashes.length * 2);
    for (let i = 0; i < oldHashes.length; i += 1) if (oldHashes[i] !== 0) this.place(oldHashes[i]!, oldPositions[i]!);
  }
}
