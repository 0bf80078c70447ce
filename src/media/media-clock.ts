import { FRAME_SAMPLES } from './rtp-session.ts';

export const TICK_MS = (FRAME_SAMPLES / 8000) * 1000; // 20

/** Something the media clock drives each tick, in three phases. */
export interface TickParticipant {
  /** Phase 1: take 20 ms of the caller's audio from the jitter buffer. */
  input?(now: number): void;
  /** Phase 2: mix conferences. */
  mix?(now: number): void;
  /** Phase 3: send 20 ms to the caller. */
  output?(now: number): void;
}

export interface TickStats {
  ticks: number;
  /** How late each tick ran against its schedule, in ms: the benchmark's mix-tick lateness. */
  lateness: Float64Array;
  latenessCount: number;
  /** Ticks skipped because the process fell more than a few frames behind. */
  skipped: number;
}

/**
 * One 20 ms clock for all calls: input from every caller, then every mix,
 * then output to every caller. Scheduled against absolute targets, so timer
 * jitter does not accumulate into drift.
 */
export class MediaClock {
  private readonly inputs = new Set<TickParticipant>();
  private readonly mixers = new Set<TickParticipant>();
  private readonly outputs = new Set<TickParticipant>();
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  readonly stats: TickStats = {
    ticks: 0,
    lateness: new Float64Array(4096),
    latenessCount: 0,
    skipped: 0,
  };

  constructor(private readonly now: () => number = () => performance.now()) {}

  add(p: TickParticipant): void {
    if (p.input) this.inputs.add(p);
    if (p.mix) this.mixers.add(p);
    if (p.output) this.outputs.add(p);
    if (!this.timer) this.start();
  }

  remove(p: TickParticipant): void {
    this.inputs.delete(p);
    this.mixers.delete(p);
    this.outputs.delete(p);
    if (!this.inputs.size && !this.mixers.size && !this.outputs.size) this.stop();
  }

  /** Runs one tick now; the timer calls this, and tests call it directly. */
  tick(now = this.now()): void {
    this.stats.ticks++;
    for (const p of this.inputs) p.input!(now);
    for (const p of this.mixers) p.mix!(now);
    for (const p of this.outputs) p.output!(now);
  }

  private start(): void {
    this.next = this.now() + TICK_MS;
    const loop = () => {
      const now = this.now();
      const late = now - this.next;
      const s = this.stats;
      s.lateness[s.latenessCount % s.lateness.length] = Math.max(0, late);
      s.latenessCount++;
      if (late > 5 * TICK_MS) {
        // Far behind (the process was paused): resynchronise rather than burst.
        s.skipped += Math.floor(late / TICK_MS);
        this.next = now;
      }
      // The nominal time, not the moment the timer got to run: playout then
      // advances by exactly 20 ms a tick, whatever the event loop's jitter.
      this.tick(this.next);
      this.next += TICK_MS;
      this.timer = setTimeout(loop, Math.max(0, this.next - this.now()));
      this.timer.unref?.();
    };
    this.timer = setTimeout(loop, TICK_MS);
    this.timer.unref?.();
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
