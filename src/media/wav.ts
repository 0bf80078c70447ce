import wavefile from 'wavefile';

const { WaveFile } = wavefile;

export class AudioFileError extends Error {}

/**
 * Reads a WAV file (any rate, channels, PCM/µ-law/A-law/float) into the one
 * form the media core uses: 8 kHz mono 16-bit linear PCM.
 */
export function decodeWav(data: Uint8Array): Int16Array {
  const wav = new WaveFile();
  try {
    wav.fromBuffer(data);
  } catch (err) {
    throw new AudioFileError(`not a WAV file: ${(err as Error).message}`);
  }
  // Copied out: the conversions below replace wav.fmt and zero the old object.
  const fmt = { ...(wav.fmt as { numChannels: number; sampleRate: number; audioFormat: number }) };
  if (!fmt.sampleRate || !fmt.numChannels) throw new AudioFileError('WAV file has no audio format');
  try {
    if (fmt.audioFormat === 7) wav.fromMuLaw();
    else if (fmt.audioFormat === 6) wav.fromALaw();
    if (wav.bitDepth !== '16') wav.toBitDepth('16');
    if (fmt.sampleRate !== 8000) wav.toSampleRate(8000, { method: 'sinc' });
  } catch (err) {
    throw new AudioFileError(`unsupported WAV encoding: ${(err as Error).message}`);
  }
  const channels = (wav.getSamples(true, Int16Array) as unknown as Int16Array) ?? new Int16Array(0);
  const n = fmt.numChannels;
  if (n === 1) return Int16Array.from(channels);
  // Interleaved: average the channels.
  const out = new Int16Array(Math.floor(channels.length / n));
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (let c = 0; c < n; c++) sum += channels[i * n + c]!;
    out[i] = Math.round(sum / n);
  }
  return out;
}

/** 8 kHz mono 16-bit PCM as a WAV file. */
export function encodeWav(samples: Int16Array): Uint8Array {
  const wav = new WaveFile();
  wav.fromScratch(1, 8000, '16', samples);
  return wav.toBuffer();
}
