/**
 * Progress of long work (index, prepare, --preload) on stderr, so stdout stays for results: on a
 * terminal one line redrawn at most 10 times a second, elsewhere a plain line every few seconds.
 * The work reports absolute amounts (update) as often as it likes: between draws only a time check runs.
 */

export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressOptions {
  /** Where to draw; default process.stderr. */
  sink?: ProgressSink;
  /** Force the terminal or the plain style; default: the sink's isTTY. */
  tty?: boolean;
  /** Between two plain lines, ms; default 5000, or env SEQSERVE_PROGRESS_INTERVAL (tests shorten it). */
  plainEveryMs?: number;
  /** Between two redraws on a terminal, ms; default 100. */
  redrawEveryMs?: number;
  /** A clock in ms; default performance.now. */
  now?: () => number;
}

export interface ProgressFigures {
  label: string;
  done: number;
  total: number;
  elapsedMs: number;
}

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1023 B, 1.0 KiB, 12.3 MiB, 123 GiB: three significant figures at most. */
export function formatBytes(bytes: number): string {
  let v = Math.max(0, bytes);
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${Math.round(v)} B`;
  return `${v < 100 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** Bases in the units genomes are spoken of: 850 bp, 6.1 kbp, 6.1 Mbp, 3.1 Gbp (decimal). */
export function formatBases(bases: number): string {
  const steps: [number, string][] = [
    [1e9, 'Gbp'],
    [1e6, 'Mbp'],
    [1e3, 'kbp'],
  ];
  for (const [size, unit] of steps) if (bases >= size) return `${(bases / size).toFixed(bases / size < 100 ? 1 : 0)} ${unit}`;
  return `${bases} bp`;
}

/** m:ss, or h:mm:ss from an hour on. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Bytes per second over the whole run so far; 0 before any time has passed. */
export function rateOf(done: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
}

/** Seconds left at the average rate so far; undefined while there is no rate to go by. */
export function secondsLeft(done: number, total: number, elapsedMs: number): number | undefined {
  const rate = rateOf(done, elapsedMs);
  if (rate <= 0) return undefined;
  return Math.max(0, total - done) / rate;
}

/** `label  1.2 GiB / 3.0 GiB  40%  210 MiB/s  0:09 left` (or `  done in 0:15` once finished). */
export function formatProgress({ label, done, total, elapsedMs }: ProgressFigures, finished = false): string {
  const percent = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100;
  const rate = rateOf(done, elapsedMs);
  const left = secondsLeft(done, total, elapsedMs);
  const tail = finished ? `done in ${formatDuration(elapsedMs / 1000)}` : left === undefined ? '-:-- left' : `${formatDuration(left)} left`;
  return `${label}  ${formatBytes(done)} / ${formatBytes(total)}  ${percent}%  ${formatBytes(rate)}/s  ${tail}`;
}

export class Progress {
  private done = 0;
  private lastDraw = -Infinity;
  private readonly started: number;
  private readonly sink: ProgressSink;
  private readonly tty: boolean;
  private readonly every: number;
  private readonly now: () => number;
  private ended = false;
  /** Whether a redrawn line is on screen (to be ended with a line feed before anything else). */
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly total: number,
    options: ProgressOptions = {},
  ) {
    this.sink = options.sink ?? process.stderr;
    this.tty = options.tty ?? this.sink.isTTY === true;
    const plain = options.plainEveryMs ?? (Number(process.env.SEQSERVE_PROGRESS_INTERVAL) || 5000);
    this.every = this.tty ? (options.redrawEveryMs ?? 100) : plain;
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
    // The plain style's first line comes after one interval: short work prints its closing line only.
    if (!this.tty) this.lastDraw = this.started;
  }

  get figures(): ProgressFigures {
    return { label: this.label, done: this.done, total: this.total, elapsedMs: this.now() - this.started };
  }

  /** The amount done so far (not an increment). */
  update(done: number): void {
    this.done = done;
    if (this.ended) return;
    const t = this.now();
    if (t - this.lastDraw < this.every) return;
    this.lastDraw = t;
    this.draw(formatProgress(this.figures));
  }

  /** The closing line: the totals, the average rate and the time taken. */
  finish(done = this.total): void {
    if (this.ended) return;
    this.done = done;
    this.draw(formatProgress(this.figures, true));
    this.end();
  }

  /**
   * Before another message goes to the terminal: the redrawn line is wiped, and drawn again at
   * the next update. Nothing to do in the plain style, where every line is a line.
   */
  clearLine(): void {
    if (!this.drawn) return;
    this.sink.write('\r\x1b[K');
    this.drawn = false;
    this.lastDraw = -Infinity;
  }

  /** Interrupted or failed: the line on screen is ended so that the next message starts clean. */
  stop(): void {
    if (this.ended) return;
    this.end();
  }

  private draw(line: string): void {
    if (this.tty) {
      // \r back to the start, \x1b[K clears what a longer previous line left.
      this.sink.write(`\r${line}\x1b[K`);
      this.drawn = true;
    } else {
      this.sink.write(`${line}\n`);
    }
  }

  private end(): void {
    this.ended = true;
    if (this.drawn) this.sink.write('\n');
    this.drawn = false;
  }
}
