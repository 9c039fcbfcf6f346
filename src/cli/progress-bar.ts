/**
 * A one-line progress bar with rate and time left, drawn on stderr only when stderr is a terminal
 * (so pipes, files and tests see nothing of it). Redraws at most every `CLI_PROGRESS_INTERVAL_MS`.
 */
import { CLI_PROGRESS_INTERVAL_MS } from '../limits.js';

const BAR_MAX_WIDTH = 30;

export class ProgressBar {
  readonly #stream: NodeJS.WriteStream;
  readonly #label: string;
  readonly #total: number;
  readonly #startMs = performance.now();
  #lastDrawMs = -Infinity;
  #done = 0;

  constructor(stream: NodeJS.WriteStream, label: string, total: number) {
    this.#stream = stream;
    this.#label = label;
    this.#total = total;
  }

  /** `done` of `total` units are finished. */
  update(done: number): void {
    this.#done = done;
    const nowMs = performance.now();
    if (nowMs - this.#lastDrawMs < CLI_PROGRESS_INTERVAL_MS && done < this.#total) return;
    this.#lastDrawMs = nowMs;
    this.#stream.write(`\r${this.render(nowMs)}\x1b[K`);
  }

  /** Erases the bar, leaving the cursor at the start of an empty line. */
  finish(): void {
    if (this.#lastDrawMs !== -Infinity) this.#stream.write('\r\x1b[K');
  }

  render(nowMs: number): string {
    const total = Math.max(this.#total, 1);
    const fraction = Math.min(this.#done / total, 1);
    const seconds = Math.max((nowMs - this.#startMs) / 1000, 1e-3);
    const rate = this.#done / seconds;
    const left = rate > 0 ? (this.#total - this.#done) / rate : Number.NaN;
    const columns = this.#stream.columns ?? 80;
    const text =
      `${Math.floor(fraction * 100)}%`.padStart(5) +
      `  ${this.#done}/${this.#total}  ${Math.round(rate)}/s  ETA ${formatSeconds(left)}`;
    const room = columns - this.#label.length - text.length - 6;
    const width = Math.max(0, Math.min(BAR_MAX_WIDTH, room));
    const filled = Math.round(fraction * width);
    return `${this.#label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}]${text}`;
  }
}

/** A bar on stderr, or undefined when stderr is not a terminal. */
export function progressBarOnTerminal(label: string, total: number): ProgressBar | undefined {
  return process.stderr.isTTY ? new ProgressBar(process.stderr, label, total) : undefined;
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
