// DNS over TCP frames each message with a two-byte big-endian length (RFC 1035 4.2.2). A FrameReader collects
// stream chunks and hands back whole messages; nothing else in this folder deals with partial reads.

/** A DNS message never exceeds 65535 bytes, which is also the most a reader ever holds. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const messages: Buffer[] = [];
    while (this.pending.length >= 2) {
      const length = this.pending.readUInt16BE(0);
      if (this.pending.length < 2 + length) break;
      messages.push(this.pending.subarray(2, 2 + length));
      this.pending = this.pending.subarray(2 + length);
    }
    return messages;
  }
}

export function frame(message: Buffer): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(message.length);
  return Buffer.concat([prefix, message]);
}
