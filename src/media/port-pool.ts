import dgram from 'node:dgram';
import dns from 'node:dns';
import { isIP } from 'node:net';

/**
 * Hands out RTP ports from DIALBRIDGE_RTP_PORTS. RTP takes an even port and
 * RTCP the odd one above it (RFC 3550 11). Ports another program holds are
 * skipped; a full range is an error the call layer turns into 503.
 */
export class PortPool {
  private next: number;
  private readonly used = new Set<number>();

  constructor(
    private readonly min: number,
    private readonly max: number,
  ) {
    this.next = min + (min % 2);
  }

  get inUse(): number {
    return this.used.size;
  }

  get capacity(): number {
    return Math.floor((this.max - this.min + 1) / 2);
  }

  /** Binds an RTP/RTCP socket pair on the next free even port. */
  async allocate(host: string): Promise<{ rtp: dgram.Socket; rtcp: dgram.Socket; port: number }> {
    const type = host.includes(':') ? 'udp6' : 'udp4';
    for (let tries = 0; tries < this.capacity; tries++) {
      const port = this.take();
      if (port === undefined) break;
      const rtp = dgram.createSocket({ type, lookup: literalLookup });
      const rtcp = dgram.createSocket({ type, lookup: literalLookup });
      try {
        await bind(rtp, port, host);
        await bind(rtcp, port + 1, host);
        return { rtp, rtcp, port };
      } catch {
        rtp.close();
        rtcp.close();
        // Held elsewhere: leave it marked so we don't retry it at once, and free it later.
        setTimeout(() => this.used.delete(port), 30_000).unref();
      }
    }
    throw new Error('no free RTP port in the configured range');
  }

  release(port: number): void {
    this.used.delete(port);
  }

  private take(): number | undefined {
    const span = this.capacity;
    for (let i = 0; i < span; i++) {
      const port = this.next;
      this.next += 2;
      if (this.next + 1 > this.max) this.next = this.min + (this.min % 2);
      if (!this.used.has(port)) {
        this.used.add(port);
        return port;
      }
    }
    return undefined;
  }
}

// Most calls come from a handful of addresses (a trunk, an SBC): remember the last one.
let lastLiteral = '';
let lastFamily = 4;

/**
 * Resolves the address of each send. Media peers are IP literals (a packet's
 * source, or the SDP's c= line): answering at once skips the asynchronous
 * dns.lookup round that dgram otherwise makes for every packet. A name still
 * goes to the resolver.
 */
const literalLookup = (
  address: string,
  options: unknown,
  callback: (err: Error | null, address: string, family: number) => void,
): void => {
  if (address === lastLiteral) return callback(null, address, lastFamily);
  const family = isIP(address);
  if (!family) return void dns.lookup(address, options as dns.LookupOptions, callback as never);
  lastLiteral = address;
  lastFamily = family;
  callback(null, address, family);
};

function bind(socket: dgram.Socket, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve();
    });
  });
}
