import net from 'node:net';

/**
 * Which peers may place calls: an allow-list of addresses and CIDR blocks.
 * Loopback is trusted by default so `npm start` answers local softphones.
 */
export class TrustList {
  private readonly list = new net.BlockList();
  readonly entries: string[];

  constructor(cidrs: string[]) {
    this.entries = cidrs;
    for (const c of cidrs) {
      const [addr, bits] = c.split('/');
      const type = addr!.includes(':') ? 'ipv6' : 'ipv4';
      if (!net.isIP(addr!))
        throw new Error(`DIALBRIDGE_SIP_TRUSTED: '${c}' is not an address or CIDR block`);
      const prefix = bits === undefined ? (type === 'ipv4' ? 32 : 128) : Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (type === 'ipv4' ? 32 : 128)) {
        throw new Error(`DIALBRIDGE_SIP_TRUSTED: '${c}' has a bad prefix length`);
      }
      this.list.addSubnet(addr!, prefix, type);
    }
  }

  allows(address: string): boolean {
    const plain = address.replace(/^::ffff:/, '');
    const type = net.isIP(plain) === 6 ? 'ipv6' : 'ipv4';
    return this.list.check(plain, type);
  }
}

export const DEFAULT_TRUSTED = ['127.0.0.0/8', '::1/128'];
