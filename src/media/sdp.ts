import * as sdpTransform from 'sdp-transform';

/**
 * SDP offer/answer (RFC 3264) for one audio stream. We speak G.711 (PCMU,
 * PCMA) in 20 ms frames and RFC 4733 telephone-event; anything else in the
 * offer is declined, and an offer with nothing we speak gets a 488.
 */
export type CodecName = 'PCMU' | 'PCMA';
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface Codec {
  name: CodecName;
  payloadType: number;
  clockRate: 8000;
}

export interface MediaPlan {
  codec: Codec;
  /** Payload type for RFC 4733 events, when the peer offered them. */
  telephoneEvent: number | undefined;
  remote: { address: string; port: number };
  /** Our direction, as seen from us (the answer's a= line). */
  direction: Direction;
  ptime: number;
}

export class SdpError extends Error {}

const STATIC: Record<number, CodecName> = { 0: 'PCMU', 8: 'PCMA' };
const SUPPORTED: CodecName[] = ['PCMU', 'PCMA'];
const REVERSE: Record<Direction, Direction> = {
  sendrecv: 'sendrecv',
  sendonly: 'recvonly',
  recvonly: 'sendonly',
  inactive: 'inactive',
};

/**
 * Reads an offer (or an answer to our offer) and picks what we will use: the
 * first codec in the peer's order that we speak.
 */
export function negotiate(sdp: string): MediaPlan {
  let parsed: sdpTransform.SessionDescription;
  try {
    parsed = sdpTransform.parse(sdp);
  } catch {
    throw new SdpError('unreadable SDP');
  }
  const audio = (parsed.media ?? []).find((m) => m.type === 'audio' && m.port !== 0);
  if (!audio) throw new SdpError('no audio stream offered');
  if (!/^RTP\/AVP$/i.test(audio.protocol)) {
    throw new SdpError(`transport ${audio.protocol} not supported (RTP/AVP only)`);
  }
  const payloads = String(audio.payloads ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  const rtpmap = new Map((audio.rtp ?? []).map((r) => [r.payload, r]));
  let codec: Codec | undefined;
  let telephoneEvent: number | undefined;
  for (const pt of payloads) {
    const map = rtpmap.get(pt);
    const name = (map ? map.codec.toUpperCase() : STATIC[pt]) as string | undefined;
    const rate = map ? map.rate : 8000;
    if (!codec && name && SUPPORTED.includes(name as CodecName) && rate === 8000) {
      codec = { name: name as CodecName, payloadType: pt, clockRate: 8000 };
    }
    if (telephoneEvent === undefined && name === 'TELEPHONE-EVENT' && rate === 8000) {
      telephoneEvent = pt;
    }
  }
  if (!codec) throw new SdpError('none of the offered codecs is supported (PCMU, PCMA)');
  const address = audio.connection?.ip ?? parsed.connection?.ip;
  if (!address) throw new SdpError('no connection address');
  const offered = (audio.direction ?? parsed.direction ?? 'sendrecv') as Direction;
  // RFC 2543-style hold: c=0.0.0.0 means the peer stops receiving.
  const held = address === '0.0.0.0';
  let direction = REVERSE[offered];
  if (held)
    direction = direction === 'sendrecv' || direction === 'recvonly' ? 'recvonly' : 'inactive';
  return {
    codec,
    telephoneEvent,
    remote: { address, port: audio.port },
    direction,
    ptime: 20,
  };
}

export interface LocalMedia {
  address: string;
  port: number;
  sessionId: number;
  sessionVersion: number;
}

function sessionHeader(local: LocalMedia): string[] {
  const ip = local.address.includes(':') ? 'IP6' : 'IP4';
  return [
    'v=0',
    `o=dialbridge ${local.sessionId} ${local.sessionVersion} IN ${ip} ${local.address}`,
    's=dialbridge',
    `c=IN ${ip} ${local.address}`,
    't=0 0',
  ];
}

/** The answer to an offer we accepted with `plan`. Other m-lines are declined with port 0. */
export function buildAnswer(offerSdp: string, plan: MediaPlan, local: LocalMedia): string {
  const offer = sdpTransform.parse(offerSdp);
  const lines = sessionHeader(local);
  let answered = false;
  for (const m of offer.media ?? []) {
    if (!answered && m.type === 'audio' && m.port !== 0) {
      answered = true;
      lines.push(...audioLines(local.port, plan.codec, plan.telephoneEvent, plan.direction));
    } else {
      lines.push(`m=${m.type} 0 ${m.protocol} ${String(m.payloads ?? '').split(' ')[0] ?? '0'}`);
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Our offer, for an INVITE that came without one. */
export function buildOffer(local: LocalMedia): string {
  const lines = sessionHeader(local);
  lines.push(
    `m=audio ${local.port} RTP/AVP 0 8 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=ptime:20',
    'a=sendrecv',
  );
  return `${lines.join('\r\n')}\r\n`;
}

function audioLines(port: number, codec: Codec, te: number | undefined, dir: Direction): string[] {
  const pts = te === undefined ? `${codec.payloadType}` : `${codec.payloadType} ${te}`;
  const out = [
    `m=audio ${port} RTP/AVP ${pts}`,
    `a=rtpmap:${codec.payloadType} ${codec.name}/8000`,
  ];
  if (te !== undefined) out.push(`a=rtpmap:${te} telephone-event/8000`, `a=fmtp:${te} 0-16`);
  out.push('a=ptime:20', `a=${dir}`);
  return out;
}
