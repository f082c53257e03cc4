/**
 * The progress line: one line at the bottom of the terminal saying where the
 * tour is (`[4/12] thread-mutex --no-lock · 9.8 s`), redrawn as time passes,
 * with everything else the tour prints scrolling above it.
 *
 * Drawn only on a terminal: carriage returns and line erasing are noise in a
 * pipe or a CI log, so elsewhere `Progress` just writes what it is given.
 * All of the tour's output goes through `write()`, which lifts the line,
 * writes, and puts the line back, so the two never tear each other.
 */

/** Where progress and output go: a writable stream, usually `process.stdout`. */
export interface Terminal {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
  /** For write errors (a closed pipe), when the terminal is a stream. */
  on?(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
  off?(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
}

const ERASE_LINE = '\r\x1b[2K';
/** How often the elapsed time is redrawn: often enough to look alive, rarely enough to cost nothing. */
const REDRAW_MS = 200;

/** A progress line over `terminal` (inert when it is not a TTY). */
export class Progress {
  readonly #terminal: Terminal;
  readonly #enabled: boolean;
  readonly #started = performance.now();
  #label = '';
  #shown = false;
  #timer: NodeJS.Timeout | undefined;

  readonly #style: (text: string) => string;

  constructor(terminal: Terminal, options: { enabled?: boolean; style?: (text: string) => string } = {}) {
    this.#terminal = terminal;
    this.#enabled = options.enabled ?? terminal.isTTY === true;
    this.#style = options.style ?? ((text) => text);
  }

  /** Whether the line is drawn at all. */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** Seconds since the progress started, as shown (`9.8 s`). */
  elapsed(): string {
    return `${((performance.now() - this.#started) / 1000).toFixed(1)} s`;
  }

  /** Shows `label` (`[4/12] queue-threads`) followed by the elapsed time. */
  update(label: string): void {
    this.#label = label;
    if (!this.#enabled) return;
    // unref: the line must never keep the command alive on its own.
    this.#timer ??= setInterval(() => this.#draw(), REDRAW_MS).unref();
    this.#draw();
  }

  /** Writes `text` — whole lines, ending in a newline — above the progress line. */
  write(text: string): void {
    if (!this.#shown) {
      this.#terminal.write(text);
      return;
    }
    this.#terminal.write(ERASE_LINE + text);
    this.#shown = false;
    this.#draw();
  }

  /** Removes the line for good (the cursor is left at the start of an empty line). */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#shown) this.#terminal.write(ERASE_LINE);
    this.#shown = false;
  }

  #draw(): void {
    if (!this.#enabled || this.#label === '') return;
    // One character short of the width: a line that fills the terminal
    // exactly wraps on some terminals, and the next erase misses it.
    const width = Math.max(10, (this.#terminal.columns || 80) - 1);
    const line = `${this.#label} · ${this.elapsed()}`;
    this.#terminal.write(ERASE_LINE + this.#style(line.length > width ? line.slice(0, width - 1) + '…' : line));
    this.#shown = true;
  }
}
