import type { Call } from '../calls/call.ts';
import type { MixRoom } from '../calls/call-audio.ts';
import type { Speech } from '../attendant/speech.ts';
import type { SpeechRenderer } from '../attendant/speech-renderer.ts';
import type { MemberPort } from './live-meeting.ts';

/** A caller in a live meeting, over their call: what the meeting says and does reaches the phone. */
export class CallMember implements MemberPort {
  constructor(
    private readonly call: Call,
    private readonly room: MixRoom,
    private readonly speech: SpeechRenderer,
    private readonly lang: string,
    private readonly orgId: string,
  ) {}

  get id(): string {
    return this.call.id;
  }

  get talking(): boolean {
    return this.call.talking;
  }

  say(speech: Speech[]): Promise<boolean> {
    if (this.call.state === 'ended') return Promise.resolve(false);
    // Announcements and answers to commands are not cut short by a key press:
    // the next command's keys would otherwise silence the answer to the last.
    return this.call.play(this.speech.render(speech, this.lang, this.orgId), {
      interruptible: false,
    });
  }

  music(on: boolean): void {
    if (this.call.state === 'ended') return;
    if (!on) return this.call.stopPlaying();
    void this.call.media.player.enqueue(this.speech.musicOnHold(this.orgId, this.lang), {
      loop: true,
      interruptible: false,
    });
  }

  seat(): void {
    this.call.join(this.room);
  }

  unseat(): void {
    this.call.leave();
  }

  setMuted(muted: boolean): void {
    this.call.muted = muted;
  }

  hangup(): void {
    void this.call.hangup();
  }
}
