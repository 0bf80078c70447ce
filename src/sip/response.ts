import { Headers } from './headers.ts';
import { statusReason, type SipRequest, type SipResponse } from './message.ts';

/**
 * A response to `req` per RFC 3261 8.2.6: Via, From, Call-ID and CSeq copied,
 * To copied with our tag added when the request had none (and tag is given).
 */
export function makeResponse(
  req: SipRequest,
  status: number,
  opts: {
    reason?: string;
    toTag?: string;
    headers?: [string, string][];
    body?: Buffer;
    contentType?: string;
  } = {},
): SipResponse {
  const h = new Headers();
  for (const via of req.headers.getAll('Via')) h.append('Via', via);
  const from = req.headers.get('From');
  if (from !== undefined) h.set('From', from);
  let to = req.headers.get('To') ?? '';
  if (opts.toTag && status > 100 && !/;\s*tag=/i.test(to)) to = `${to};tag=${opts.toTag}`;
  h.set('To', to);
  const callId = req.headers.get('Call-ID');
  if (callId !== undefined) h.set('Call-ID', callId);
  const cseq = req.headers.get('CSeq');
  if (cseq !== undefined) h.set('CSeq', cseq);
  h.set('Server', 'dialbridge');
  for (const [name, value] of opts.headers ?? []) h.append(name, value);
  if (opts.body && opts.contentType) h.set('Content-Type', opts.contentType);
  return {
    kind: 'response',
    status,
    reason: opts.reason ?? statusReason(status),
    headers: h,
    body: opts.body ?? Buffer.alloc(0),
  };
}
