/**
 * The archived images' full names as a Bloom filter, kept in the head object: a registration
 * asks "is this image archived?" of the snapshot it already holds, and reads the image's index
 * bucket only when the filter says "maybe" (an archived image, or one in a few hundred at 5 000
 * archived). It moves with the head's compare-and-swap, so it is never behind the snapshot.
 * Stored deflated: a filter of a store with few archived images is a few hundred bytes.
 */
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

const BITS = 65_536;
const HASHES = 4;

/** The last filter parsed: every change parses the head's, and most heads carry the same one. */
let lastParsed: { text: string; bits: Buffer } | undefined;

export class ImageFilter {
  /** `text`: the filter as parsed, while no image was added since (toString need not deflate). */
  private constructor(
    private readonly bits: Buffer,
    private text?: string,
  ) {}

  static empty(): ImageFilter {
    return new ImageFilter(Buffer.alloc(BITS / 8));
  }

  static parse(text: string): ImageFilter {
    if (lastParsed?.text !== text) lastParsed = { text, bits: inflateRawSync(Buffer.from(text, 'base64')) };
    return new ImageFilter(Buffer.from(lastParsed.bits), text);
  }

  private static positions(fullImageName: string): number[] {
    const digest = createHash('sha256').update(fullImageName).digest();
    return Array.from({ length: HASHES }, (_, i) => digest.readUInt16BE(i * 2) % BITS);
  }

  /** False: the image is certainly not archived. True: it may be. */
  mayHave(fullImageName: string): boolean {
    return ImageFilter.positions(fullImageName).every((p) => (this.bits[p >> 3]! & (1 << (p & 7))) !== 0);
  }

  add(fullImageName: string): void {
    for (const p of ImageFilter.positions(fullImageName)) this.bits[p >> 3]! |= 1 << (p & 7);
    this.text = undefined;
  }

  toString(): string {
    this.text ??= deflateRawSync(this.bits).toString('base64');
    return this.text;
  }
}
