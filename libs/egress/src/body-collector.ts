/**
 * Buffers the first `maxBytes` bytes of a response body and counts every
 * byte received, so an endless body costs at most one chunk beyond the cap.
 */
export class BodyCollector {
  private readonly chunks: Buffer[] = [];
  private storedBytes = 0;
  private seenBytes = 0;

  constructor(private readonly maxBytes: number) {}

  /**
   * Adds a received chunk. Returns true once more than `maxBytes` bytes have
   * arrived, which proves the body is longer than what is kept, so the
   * caller stops reading.
   */
  add(chunk: Buffer): boolean {
    this.seenBytes += chunk.length;

    const room = this.maxBytes - this.storedBytes;
    if (room > 0) {
      const stored = chunk.length > room ? chunk.subarray(0, room) : chunk;
      this.chunks.push(Buffer.from(stored));
      this.storedBytes += stored.length;
    }

    return this.seenBytes > this.maxBytes;
  }

  /** Body bytes received so far, including bytes beyond the cap. */
  get bytesSeen(): number {
    return this.seenBytes;
  }

  /** Returns a copy of the first `maxBytes` bytes received. */
  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.storedBytes);
  }
}
