import dgram from 'node:dgram';
import { parseMessage, type SipResponse } from '../../src/sip/message.ts';

/**
 * A bare UDP peer for protocol tests: sends hand-written SIP text and
 * collects what comes back. Real phones are tested with SIPp and baresip.
 */
export class RawSipClient {
  readonly socket = dgram.createSocket('udp4');
  readonly received: SipResponse[] = [];
  readonly requests: string[] = [];
  port = 0;
  private waiters: (() => void)[] = [];

  async open(host = '127.0.0.1'): Promise<this> {
    await new Promise<void>((r) => this.socket.bind(0, host, () => r()));
    this.port = this.socket.address().port;
    this.socket.on('message', (buf) => {
      try {
        const m = parseMessage(buf);
        if (m.kind === 'response') this.received.push(m);
        else this.requests.push(buf.toString());
      } catch {
        /* not ours to judge */
      }
      for (const w of this.waiters.splice(0)) w();
    });
    return this;
  }

  send(text: string, port: number): void {
    const body = text.includes('\r\n\r\n') ? text : text.replace(/\n/g, '\r\n');
    this.socket.send(Buffer.from(body), port, '127.0.0.1');
  }

  sendRaw(data: Uint8Array, port: number): void {
    this.socket.send(data, port, '127.0.0.1');
  }

  /** Waits for a response matching pred (already received or future). */
  async response(pred: (r: SipResponse) => boolean, timeoutMs = 3000): Promise<SipResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.received.find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no matching response; got ${this.received.map((r) => r.status).join(', ') || 'none'}`,
        );
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  close(): void {
    this.socket.close();
  }
}

let n = 0;
/** A request's text with fresh identifiers; `extra` headers and `body` as given. */
export function request(
  method: string,
  opts: {
    port: number;
    target: number;
    callId?: string;
    branch?: string;
    cseq?: number;
    toTag?: string;
    fromTag?: string;
    extra?: string[];
    body?: string;
    uri?: string;
  },
): string {
  n++;
  const body = opts.body ?? '';
  return [
    `${method} ${opts.uri ?? `sip:14255550100@127.0.0.1:${opts.target}`} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${opts.port};branch=${opts.branch ?? `z9hG4bK-t${n}-${Math.random().toString(36).slice(2)}`};rport`,
    `From: <sip:+14255550123@127.0.0.1:${opts.port}>;tag=${opts.fromTag ?? 'caller'}`,
    `To: <sip:14255550100@127.0.0.1:${opts.target}>${opts.toTag ? `;tag=${opts.toTag}` : ''}`,
    `Call-ID: ${opts.callId ?? `call-${n}@test`}`,
    `CSeq: ${opts.cseq ?? 1} ${method === 'ACK' || method === 'CANCEL' ? method : method}`,
    `Contact: <sip:caller@127.0.0.1:${opts.port}>`,
    'Max-Forwards: 70',
    ...(opts.extra ?? []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

export const OFFER = (
  port = 4000,
  payloads = '0 101',
  rtpmaps = ['a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000'],
) =>
  [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP ${payloads}`,
    ...rtpmaps,
    '',
  ].join('\r\n');
