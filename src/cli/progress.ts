/** What a command reports while it works: one step per image (verify) or object (review). */
export interface Progress {
  step(done: number, total: number, label: string): void;
  done(): void;
}

/** Longest label shown on the progress line; a longer one is cut so that the line does not wrap. */
export const MAX_PROGRESS_LABEL_CHARS = 100;

const SILENT: Progress = { step: () => undefined, done: () => undefined };
/** ANSI: carriage return and erase the line. */
const CLEAR_LINE = '\r\u001b[2K';

// printable drops control characters (an image reference from a manifest could carry escape sequences).
function printable(label: string): string {
  const clean = label.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > MAX_PROGRESS_LABEL_CHARS ? `${clean.slice(0, MAX_PROGRESS_LABEL_CHARS - 1)}…` : clean;
}

/**
 * Progress on stderr, rewritten in place, only when stderr is a terminal: in CI logs (a pipe or a file)
 * nothing is printed, so stderr stays for errors.
 */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY !== true) return SILENT;
  let shown = false;
  return {
    step(done, total, label) {
      shown = true;
      stream.write(`${CLEAR_LINE}[${done + 1}/${total}] checking ${printable(label)}`);
    },
    done() {
      if (shown) stream.write(CLEAR_LINE);
      shown = false;
    },
  };
}
