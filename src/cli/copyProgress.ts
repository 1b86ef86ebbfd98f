import { SingleBar } from "cli-progress";

export interface CopyProgress {
  /** A step, one line each. */
  step: (line: string) => void;
  /** The copy's bytes so far: a bar on a terminal; nothing otherwise (the steps say enough). */
  onProgress?: (done: number, total: number) => void;
  stop: () => void;
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

/** Steps and, on a terminal, a progress bar of the copy, on `out` (stderr: stdout stays the result). */
export function copyProgress(out: NodeJS.WriteStream): CopyProgress {
  if (!out.isTTY) return { step: (line) => out.write(`${line}\n`), stop: () => undefined };
  let bar: SingleBar | undefined;
  const stop = (): void => {
    bar?.stop();
    bar = undefined;
  };
  return {
    step: (line) => {
      stop();
      out.write(`${line}\n`);
    },
    onProgress: (done, total) => {
      if (!bar) {
        bar = new SingleBar({
          stream: out,
          format: "copying [{bar}] {percentage}% {doneMb}/{totalMb} MB, {eta_formatted} left",
          hideCursor: true,
          clearOnComplete: true,
        });
        bar.start(total, 0, { doneMb: mb(0), totalMb: mb(total) });
      }
      bar.update(Math.min(done, total), { doneMb: mb(done), totalMb: mb(total) });
    },
    stop,
  };
}
