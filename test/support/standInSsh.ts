import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export interface StandInSsh {
  /** A PATH that finds this stand-in before the real `ssh`. */
  readonly path: string;
  /** The arguments of every run so far, in order. */
  calls(): string[][];
  dispose(): void;
}

/**
 * A stand-in for the `ssh` binary, first on `path`: it records its arguments and runs the far
 * side's command (its last argument) here, through a shell as sshd would, so `docker system
 * dial-stdio` joins the local engine as it would on a real host; with `fail`, it prints that
 * message and exits with that status instead, as ssh does when it cannot log in.
 */
export function standInSsh(options: { fail?: { status: number; stderr: string } } = {}): StandInSsh {
  const dir = mkdtempSync(join(tmpdir(), "t-ssh-"));
  const argsFile = join(dir, "calls");
  writeFileSync(argsFile, "");
  const record = `{ for arg; do printf '%s\\t' "$arg"; done; echo; } >> '${argsFile}'`;
  // The far host has its own environment: the caller's DOCKER_HOST (ssh://...) is not its own.
  const then = options.fail
    ? `printf '%s\\n' '${options.fail.stderr}' >&2\nexit ${options.fail.status}`
    : `for last; do :; done\nexec env -u DOCKER_HOST sh -c "$last"`;
  writeFileSync(join(dir, "ssh"), `#!/bin/sh\n${record}\n${then}\n`, { mode: 0o755 });
  return {
    path: `${dir}${delimiter}${process.env.PATH ?? ""}`,
    calls: () =>
      readFileSync(argsFile, "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => line.replace(/\t$/, "").split("\t")),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
