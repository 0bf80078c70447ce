import { ConferenceMixer } from '../media/mixer.ts';
import type { MediaClock, TickParticipant } from '../media/media-clock.ts';
import type { MixRoom, MixSeat } from './call-audio.ts';

/**
 * A conference's mix on the media clock: seated calls feed it in the input
 * phase, it mixes once per tick, and each call sends its seat's output.
 * It ticks only while someone sits in it.
 */
export class ConferenceRoom implements MixRoom, TickParticipant {
  readonly mixer = new ConferenceMixer();
  private ticking = false;

  constructor(private readonly clock: MediaClock) {}

  get size(): number {
    return this.mixer.size;
  }

  seat(id: string): MixSeat {
    const seat = this.mixer.add(id);
    if (!this.ticking) {
      this.ticking = true;
      this.clock.add(this);
    }
    return seat;
  }

  unseat(id: string): void {
    this.mixer.remove(id);
    if (this.ticking && this.mixer.size === 0) {
      this.ticking = false;
      this.clock.remove(this);
    }
  }

  mix(): void {
    this.mixer.mix();
  }
}
