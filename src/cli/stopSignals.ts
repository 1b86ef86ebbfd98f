/** The signals that stop `alacrity run`. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT"];

/**
 * Takes SIGTERM and SIGINT from the first moment of `alacrity run`, so that a signal sent while
 * it is still starting (reading the secret file, opening its port) is not the default "die by
 * that signal": signals are kept until `handle` is called, then replayed in order.
 */
export class StopSignals {
  readonly #pending: NodeJS.Signals[] = [];
  #handler: ((signal: NodeJS.Signals) => void) | undefined;
  readonly #listener = (signal: NodeJS.Signals): void => {
    if (this.#handler) this.#handler(signal);
    else this.#pending.push(signal);
  };

  constructor() {
    for (const signal of STOP_SIGNALS) process.on(signal, this.#listener);
  }

  /** From now on signals go to `handler`; those received so far are delivered at once. */
  handle(handler: (signal: NodeJS.Signals) => void): void {
    this.#handler = handler;
    for (const signal of this.#pending.splice(0)) handler(signal);
  }
}
