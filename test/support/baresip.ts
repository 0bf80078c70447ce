import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav } from '../../src/media/wav.ts';

let nextPort = 50000 + Math.floor(Math.random() * 400) * 20;

export interface BaresipEvent {
  type?: string;
  class?: string;
  param?: string;
  [k: string]: unknown;
}

/**
 * Debian's baresip as a scripted softphone: it speaks what a WAV file holds
 * (aufile), records what it hears (sndfile), and is driven over ctrl_tcp
 * (netstring-framed JSON). Missing baresip is a failure, never a skip.
 */
export class Baresip {
  readonly dir = mkdtempSync(join(tmpdir(), 'baresip-'));
  readonly recordings = join(this.dir, 'rec');
  readonly events: BaresipEvent[] = [];
  private proc?: ChildProcess;
  private ctrl?: net.Socket;
  private buffer = '';
  private waiting = new Map<string, (r: { ok: boolean; data: string }) => void>();
  private seq = 0;
  // baresip also binds TLS on the SIP port + 1, so the control port keeps its distance.
  readonly sipPort = (nextPort += 20);
  readonly ctrlPort = this.sipPort + 5;
  private readonly rtpBase = this.sipPort + 6;
  log = '';

  /** Starts baresip speaking `speech` (8 kHz mono). */
  async start(speech: Int16Array): Promise<void> {
    if (!existsSync('/usr/bin/baresip'))
      throw new Error('baresip is not installed: apt-get install baresip-core');
    mkdirSync(this.recordings);
    writeFileSync(join(this.dir, 'speech.wav'), encodeWav(speech));
    writeFileSync(join(this.dir, 'accounts'), '<sip:baresip@127.0.0.1>;regint=0\n');
    writeFileSync(
      join(this.dir, 'config'),
      [
        'poll_method epoll',
        `sip_listen 127.0.0.1:${this.sipPort}`,
        'audio_player aubridge,nil',
        `audio_source aufile,${join(this.dir, 'speech.wav')}`,
        'audio_alert aubridge,nil',
        'audio_srate 8000',
        'audio_channels 1',
        `rtp_ports ${this.rtpBase}-${this.rtpBase + 16}`,
        'module_path /usr/lib/baresip/modules',
        'module g711.so',
        'module aufile.so',
        'module aubridge.so',
        'module sndfile.so',
        'module_app account.so',
        'module_app menu.so',
        'module_app ctrl_tcp.so',
        `ctrl_tcp_listen 127.0.0.1:${this.ctrlPort}`,
        `snd_path ${this.recordings}`,
        '',
      ].join('\n'),
    );
    this.proc = spawn('/usr/bin/baresip', ['-f', this.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (d) => (this.log += d));
    this.proc.stderr!.on('data', (d) => (this.log += d));
    const deadline = Date.now() + 10_000;
    while (!this.log.includes('baresip is ready')) {
      if (Date.now() > deadline || this.proc.exitCode !== null)
        throw new Error(`baresip did not start:\n${this.log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    this.ctrl = net.connect(this.ctrlPort, '127.0.0.1');
    await new Promise((r, j) => this.ctrl!.once('connect', r).once('error', j));
    this.ctrl.on('data', (d) => this.onData(d.toString('utf8')));
  }

  private onData(text: string): void {
    this.buffer += text;
    for (;;) {
      const colon = this.buffer.indexOf(':');
      if (colon < 0) return;
      const len = Number(this.buffer.slice(0, colon));
      if (this.buffer.length < colon + 1 + len + 1) return;
      const json = this.buffer.slice(colon + 1, colon + 1 + len);
      this.buffer = this.buffer.slice(colon + 1 + len + 1);
      const msg = JSON.parse(json) as {
        response?: boolean;
        ok?: boolean;
        data?: string;
        token?: string;
        event?: boolean;
      } & BaresipEvent;
      if (msg.response && msg.token) {
        this.waiting.get(msg.token)?.({ ok: Boolean(msg.ok), data: msg.data ?? '' });
        this.waiting.delete(msg.token);
      } else if (msg.event) this.events.push(msg);
    }
  }

  /** Runs a menu command (dial, hangup, sndcode …) and returns baresip's reply. */
  command(command: string, params = ''): Promise<{ ok: boolean; data: string }> {
    const token = `t${++this.seq}`;
    const body = JSON.stringify({ command, params, token });
    return new Promise((resolve) => {
      this.waiting.set(token, resolve);
      this.ctrl!.write(`${Buffer.byteLength(body)}:${body},`);
    });
  }

  async waitFor(type: string, ms = 10_000): Promise<BaresipEvent> {
    const deadline = Date.now() + ms;
    for (;;) {
      const e = this.events.find((x) => x.type === type);
      if (e) return e;
      if (Date.now() > deadline)
        throw new Error(
          `no ${type} event; got ${this.events.map((x) => x.type).join(', ')}\n${this.log}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The WAV files sndfile wrote: what baresip heard ('dec') and what it sent ('enc'). */
  recording(kind: 'dec' | 'enc'): string | undefined {
    const f = readdirSync(this.recordings).find((n) => n.includes(`-${kind}`));
    return f && join(this.recordings, f);
  }

  async stop(): Promise<void> {
    this.ctrl?.destroy();
    if (this.proc && this.proc.exitCode === null) {
      this.proc.kill('SIGTERM');
      await new Promise((r) => {
        const t = setTimeout(() => {
          this.proc?.kill('SIGKILL');
          r(undefined);
        }, 3000);
        this.proc!.once('exit', () => {
          clearTimeout(t);
          r(undefined);
        });
      });
    }
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
