import { describe, expect, it } from 'vitest';
import { buildAnswer, buildOffer, negotiate, SdpError } from './sdp.ts';

const offer = (media: string, extra = '') =>
  ['v=0', 'o=- 1 1 IN IP4 192.0.2.10', 's=-', 'c=IN IP4 192.0.2.10', 't=0 0', media, extra]
    .filter(Boolean)
    .join('\r\n') + '\r\n';

const local = { address: '127.0.0.1', port: 20000, sessionId: 7, sessionVersion: 1 };

describe('SDP offer/answer', () => {
  it('picks the first codec we speak in the offerer order, and telephone-event', () => {
    const sdp = offer(
      'm=audio 4000 RTP/AVP 9 8 0 101\r\na=rtpmap:9 G722/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16',
    );
    const plan = negotiate(sdp);
    expect(plan.codec).toEqual({ name: 'PCMA', payloadType: 8, clockRate: 8000 });
    expect(plan.telephoneEvent).toBe(101);
    expect(plan.remote).toEqual({ address: '192.0.2.10', port: 4000 });
    const answer = buildAnswer(sdp, plan, local);
    expect(answer).toContain('m=audio 20000 RTP/AVP 8 101\r\n');
    expect(answer).toContain('a=rtpmap:101 telephone-event/8000');
    expect(answer).toContain('a=sendrecv');
    expect(answer).toContain('c=IN IP4 127.0.0.1');
  });

  it('accepts static payload types without rtpmap and media-level connection lines', () => {
    const plan = negotiate(offer('m=audio 5004 RTP/AVP 0\r\nc=IN IP4 198.51.100.7'));
    expect(plan.codec.name).toBe('PCMU');
    expect(plan.telephoneEvent).toBeUndefined();
    expect(plan.remote.address).toBe('198.51.100.7');
  });

  it('mirrors hold: sendonly gets recvonly, inactive stays inactive, c=0.0.0.0 means hold', () => {
    expect(negotiate(offer('m=audio 4000 RTP/AVP 0', 'a=sendonly')).direction).toBe('recvonly');
    expect(negotiate(offer('m=audio 4000 RTP/AVP 0', 'a=inactive')).direction).toBe('inactive');
    expect(negotiate(offer('m=audio 4000 RTP/AVP 0', 'a=recvonly')).direction).toBe('sendonly');
    const old = offer('m=audio 4000 RTP/AVP 0').replace(/c=IN IP4 192.0.2.10/, 'c=IN IP4 0.0.0.0');
    expect(negotiate(old).direction).toBe('recvonly');
  });

  it('declines other streams with port 0', () => {
    const sdp = offer(
      'm=video 6000 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\nm=audio 4000 RTP/AVP 0',
    );
    const answer = buildAnswer(sdp, negotiate(sdp), local);
    expect(answer).toMatch(/m=video 0 RTP\/AVP 96\r\nm=audio 20000 RTP\/AVP 0\r\n/);
  });

  it.each([
    ['m=audio 4000 RTP/AVP 18\r\na=rtpmap:18 G729/8000', /none of the offered codecs/],
    ['m=audio 4000 RTP/SAVP 0', /RTP\/AVP only/],
    ['m=video 4000 RTP/AVP 96', /no audio/],
    ['m=audio 0 RTP/AVP 0', /no audio/],
    ['m=audio 4000 RTP/AVP 96\r\na=rtpmap:96 PCMU/16000', /none of the offered codecs/],
  ])('refuses %s (the caller answers 488)', (media, msg) => {
    expect(() => negotiate(offer(media))).toThrow(SdpError);
    expect(() => negotiate(offer(media))).toThrow(msg);
  });

  it('makes an offer that its own negotiation accepts', () => {
    const plan = negotiate(buildOffer(local));
    expect(plan).toMatchObject({
      codec: { name: 'PCMU' },
      telephoneEvent: 101,
      remote: { port: 20000 },
    });
  });
});
