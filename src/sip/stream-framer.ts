/**
 * Cuts SIP messages out of a TCP byte stream (RFC 3261 §18.3). On a stream
 * the only record boundary is Content-Length, so it is mandatory here, and a
 * peer that breaks framing once can't be trusted to be in step again: after
 * any error the framer stays failed and the connection should be closed
 * (answering 400 first when the error says the bytes were a request).
 *
 * Memory is bounded: at most one header block (64 KiB) plus one body (1 MiB)
 * is ever buffered, and keep-alive CRLFs are dropped as they arrive.
 */
import { parseMessage, SipParseError, type SipMessage } from './message.ts';

export const MAX_HEADER_BYTES = 64 * 1024;
export const MAX_BODY_BYTES = 1024 * 1024;

const CR = 0x0d;
const LF = 0x0a;
const TAB = 0x09;

// Enough of a start line to tell SIP from garbage before a whole header block arrives.
const REQUEST_LINE = /^[A-Za-z0-9.!%*_+`'~-]+ +\S+ +SIP\/\S+ *$/i;
const STATUS_LINE = /^SIP\/\S+ +\d+( .*)?$/i;

export class SipStreamFramer {
  /** Pending bytes are store[start, end); the store grows by doubling. */
  #store = Buffer.alloc(0);
  #start = 0;
  #end = 0;
  /** How far past `start` the current header block has been scanned. */
  #scanned = 0;
  #startLineChecked = false;
  /** Once the header block is complete: the whole message's length, body included. */
  #frame: { total: number } | undefined;
  #failed: SipParseError | undefined;

  /** Add bytes; returns the messages they completed, in order. */
  push(chunk: Buffer): SipMessage[] {
    if (this.#failed) throw this.#failed;
    try {
      this.#append(chunk);
      const out: SipMessage[] = [];
      for (let msg = this.#next(); msg; msg = this.#next()) out.push(msg);
      if (this.#start === this.#end) this.#release();
      return out;
    } catch (err) {
      if (err instanceof SipParseError) {
        this.#failed = err;
        this.#release();
      }
      throw err;
    }
  }

  /**
   * Forget consumed bytes; and once idle, drop a store that a big message
   * grew, so a thousand quiet connections don't each keep a megabyte.
   */
  #release(): void {
    const pending = this.#end - this.#start;
    if (pending === 0 || this.#failed) {
      this.#start = this.#end = 0;
      if (this.#store.length > MAX_HEADER_BYTES || this.#failed) this.#store = Buffer.alloc(0);
    }
  }

  /** Bytes held waiting for the rest of a message. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  #append(chunk: Buffer): void {
    const pending = this.#end - this.#start;
    if (this.#end + chunk.length > this.#store.length) {
      // Keep at least half the store free so compaction is amortized O(1)
      // a byte even when a peer trickles one byte at a time.
      const needed = pending + chunk.length;
      const store =
        needed * 2 <= this.#store.length
          ? this.#store
          : Buffer.allocUnsafe(Math.max(4096, needed * 2));
      this.#store.copy(store, 0, this.#start, this.#end);
      this.#store = store;
      this.#start = 0;
      this.#end = pending;
    }
    chunk.copy(this.#store, this.#end);
    this.#end += chunk.length;
  }

  #next(): SipMessage | undefined {
    if (!this.#frame) {
      if (this.#scanned === 0) this.#skipKeepAlives();
      if (this.#start === this.#end) return undefined;
      const headLength = this.#scanHead();
      if (headLength === undefined) return undefined;
      this.#frame = { total: headLength + this.#contentLength(headLength) };
    }
    const { total } = this.#frame;
    if (this.#end - this.#start < total) return undefined;
    // parseMessage copies what it keeps, so the store can be reused afterwards.
    const msg = parseMessage(this.#store.subarray(this.#start, this.#start + total));
    this.#start += total;
    this.#frame = undefined;
    this.#scanned = 0;
    this.#startLineChecked = false;
    return msg;
  }

  /** RFC 5626 keep-alives: CRLF pings and pongs between messages. */
  #skipKeepAlives(): void {
    while (this.#start < this.#end) {
      const b = this.#store[this.#start];
      if (b !== CR && b !== LF) break;
      this.#start++;
    }
  }

  /**
   * Look for the empty line ending the header block, carrying on from where
   * the last push stopped. Returns the block's length including that line.
   */
  #scanHead(): number | undefined {
    const s = this.#store;
    const base = this.#start;
    const avail = this.#end - base;
    let i = this.#scanned;
    for (; i < avail; i++) {
      const b = s[base + i]!;
      if (b === LF) {
        if (!this.#startLineChecked) this.#checkStartLine(i);
        const n1 = base + i + 1 < this.#end ? s[base + i + 1] : undefined;
        const n2 = base + i + 2 < this.#end ? s[base + i + 2] : undefined;
        if (n1 === LF) return this.#headDone(i + 2);
        if (n1 === CR && n2 === LF) return this.#headDone(i + 3);
        // The next line's first bytes aren't here yet: look at this LF again next time.
        if (n1 === undefined || (n1 === CR && n2 === undefined)) break;
      } else if ((b < 0x20 && b !== TAB && b !== CR) || b === 0x7f) {
        this.#fail('binary data where SIP headers were expected');
      }
    }
    this.#scanned = i;
    if (avail > MAX_HEADER_BYTES) this.#fail(`header block larger than ${MAX_HEADER_BYTES} bytes`);
    return undefined;
  }

  #headDone(length: number): number {
    if (length > MAX_HEADER_BYTES) this.#fail(`header block larger than ${MAX_HEADER_BYTES} bytes`);
    return length;
  }

  #checkStartLine(lf: number): void {
    let line = this.#store.toString('latin1', this.#start, this.#start + lf);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (!REQUEST_LINE.test(line) && !STATUS_LINE.test(line)) {
      this.#fail(`not a SIP start line: ${JSON.stringify(line.slice(0, 80))}`);
    }
    this.#startLineChecked = true;
  }

  /** Content-Length from the raw header block (the full parse waits for the body). */
  #contentLength(headLength: number): number {
    const head = this.#store
      .toString('latin1', this.#start, this.#start + headLength)
      .replace(/\r?\n[ \t]+/g, ' ');
    const values: string[] = [];
    for (const line of head.split(/\r?\n/).slice(1)) {
      const m = /^(?:content-length|l)[ \t]*:(.*)$/i.exec(line);
      if (m) values.push(m[1]!.trim());
    }
    const fail = (message: string, replyWith: 400 | 513 = 400): never => {
      throw new SipParseError(message, { ...this.#headContext(headLength), replyWith });
    };
    if (values.length === 0) fail('missing Content-Length: required on stream transports');
    if (values.length > 1) fail('more than one Content-Length header');
    const value = values[0]!;
    if (!/^\d+$/.test(value)) fail(`bad Content-Length ${JSON.stringify(value.slice(0, 40))}`);
    const length = Number(value);
    if (length > MAX_BODY_BYTES) {
      fail(`body of ${length} bytes is larger than ${MAX_BODY_BYTES}`, 513);
    }
    return length;
  }

  /**
   * Whether the header block is a request, and its headers, so the caller can
   * answer before closing. parseMessage on the block alone either succeeds or
   * fails with exactly that context.
   */
  #headContext(headLength: number): Pick<SipParseError, 'isRequest' | 'method' | 'headers'> {
    try {
      const msg = parseMessage(this.#store.subarray(this.#start, this.#start + headLength));
      return msg.kind === 'request'
        ? { isRequest: true, method: msg.method, headers: msg.headers }
        : { isRequest: false };
    } catch (err) {
      if (!(err instanceof SipParseError)) throw err;
      const { isRequest, method, headers } = err;
      return { isRequest, method, headers };
    }
  }

  #fail(message: string): never {
    throw new SipParseError(message);
  }
}
