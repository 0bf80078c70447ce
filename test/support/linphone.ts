import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav } from '../../src/media/wav.ts';

let nextPort = 56000 + Math.floor(Math.random() * 200) * 10;

/**
 * Debian's linphonec as a scripted softphone: commands on stdin, wav files
 * instead of a sound card (it plays one, records what it hears into another).
 */
export class Linphone {
  readonly dir = mkdtempSync(join(tmpdir(), 'linphone-'));
  readonly heardFile = join(this.dir, 'heard.wav');
  private proc?: ChildProcess;
  output = '';
  private readonly sipPort = (nextPort += 10);

  async start(speech: Int16Array): Promise<void> {
    if (!existsSync('/usr/bin/linphonec'))
      throw new Error('linphonec is not installed: apt-get install linphone-cli');
    writeFileSync(join(this.dir, 'speech.wav'), encodeWav(speech));
    writeFileSync(
      join(this.dir, 'rc'),
      [
        '[sip]',
        'sip_tcp_port=0',
        'use_ipv6=0',
        'default_proxy=-1',
        '[rtp]',
        `audio_rtp_port=${this.sipPort + 2}`,
        '[sound]',
        'echocancellation=0',
        '[video]',
        'automatically_initiate=0',
        '',
      ].join('\n'),
    );
    this.proc = spawn('/usr/bin/linphonec', ['-c', join(this.dir, 'rc')], {
      env: { PATH: process.env.PATH, HOME: this.dir },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.proc.stdout!.on('data', (d) => (this.output += d));
    this.proc.stderr!.on('data', (d) => (this.output += d));
    await this.waitFor(/linphonec> /);
    // linphonec ignores sip_port in its rc; the command sets it.
    this.send(`ports sip ${this.sipPort}`);
    await this.waitFor(/Setting sip port/);
    this.send('soundcard use files');
    await this.waitFor(/Using wav files/);
    this.send(`play ${join(this.dir, 'speech.wav')}`);
    this.send(`record ${this.heardFile}`);
  }

  send(line: string): void {
    this.proc!.stdin!.write(`${line}\n`);
  }

  async waitFor(pattern: RegExp, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pattern.test(this.output)) {
      if (Date.now() > deadline || this.proc?.exitCode !== null) {
        throw new Error(`linphonec: no ${pattern} in:\n${this.output.slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    if (!this.proc || this.proc.exitCode !== null) return;
    this.send('quit');
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

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
