import dgram from 'node:dgram';
import net from 'node:net';
import { EventEmitter } from 'node:events';
import { parseMessage, serializeMessage, SipParseError, type SipMessage } from './message.ts';
import { SipStreamFramer } from './stream-framer.ts';

/** Where a message came from, and so where its responses go back to. */
export interface Peer {
  transport: 'udp' | 'tcp';
  address: string;
  port: number;
  /** For TCP: the connection it arrived on, reused for responses (RFC 3261 18.2.2). */
  connection?: net.Socket;
}

export interface TransportEvents {
  message: [msg: SipMessage, from: Peer];
  /** Bytes that were not SIP: counted, answered with 400 where possible, never fatal. */
  malformed: [err: SipParseError, from: Peer, raw: Buffer];
}

const MAX_TCP_CONNECTIONS = 1024;
const TCP_IDLE_MS = 5 * 60_000;

/**
 * SIP over UDP and TCP on one address. Parsing failures and socket errors
 * never escape: a bad datagram from anyone must not stop the service.
 */
export class SipTransport extends EventEmitter<TransportEvents> {
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  private readonly connections = new Set<net.Socket>();
  private closed = false;
  port = 0;

  /**
   * Binds UDP and TCP on the same port. With port 0 the kernel picks the UDP
   * port, and TCP may find that number taken by an unrelated socket: then both
   * are released and another port is tried.
   */
  async listen(host: string, port: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.bindBoth(host, port);
        return;
      } catch (err) {
        const busy = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
        if (port !== 0 || !busy || attempt >= 20) throw err;
      }
    }
  }

  private async bindBoth(host: string, port: number): Promise<void> {
    const type = host.includes(':') ? 'udp6' : 'udp4';
    const udp = dgram.createSocket({ type, reuseAddr: false });
    udp.on('message', (data, rinfo) =>
      this.onDatagram(data, { transport: 'udp', address: rinfo.address, port: rinfo.port }),
    );
    udp.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, host, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    const bound = udp.address().port;
    const tcp = net.createServer((socket) => this.onConnection(socket));
    tcp.maxConnections = MAX_TCP_CONNECTIONS;
    tcp.on('error', () => undefined);
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(bound, host, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      udp.close();
      throw err;
    }
    // Large bursts of INVITEs must not be dropped by a small kernel buffer.
    try {
      udp.setRecvBufferSize(4 * 1024 * 1024);
    } catch {
      /* not permitted: keep the default */
    }
    this.udp = udp;
    this.tcp = tcp;
    this.port = bound;
  }

  private onDatagram(data: Buffer, from: Peer): void {
    // Keep-alive pings (CRLF) carry nothing.
    if (data.length <= 4 && /^[\r\n]*$/.test(data.toString('latin1'))) return;
    try {
      this.emit('message', parseMessage(data), from);
    } catch (err) {
      if (err instanceof SipParseError) this.emit('malformed', err, from, data);
      else throw err;
    }
  }

  private onConnection(socket: net.Socket): void {
    this.connections.add(socket);
    const framer = new SipStreamFramer();
    const from: Peer = {
      transport: 'tcp',
      address: socket.remoteAddress ?? '',
      port: socket.remotePort ?? 0,
      connection: socket,
    };
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    socket.on('data', (chunk) => {
      let messages: SipMessage[];
      try {
        messages = framer.push(chunk);
      } catch (err) {
        // A stream that lost its framing can't be resynchronised: close it.
        if (err instanceof SipParseError) this.emit('malformed', err, from, chunk);
        socket.destroy();
        return;
      }
      for (const m of messages) this.emit('message', m, from);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.connections.delete(socket));
  }

  send(msg: SipMessage, to: Peer): void {
    // Timers of transactions still running at shutdown may fire after close.
    if (this.closed) return;
    const data = serializeMessage(msg);
    if (to.transport === 'tcp') {
      if (to.connection && !to.connection.destroyed) {
        to.connection.write(data);
        return;
      }
      const socket = net.connect(to.port, to.address);
      this.onConnection(socket);
      socket.write(data);
      return;
    }
    this.udp?.send(data, to.port, to.address);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.connections) c.destroy();
    await Promise.all([
      new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r())),
      new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r())),
    ]);
  }
}
