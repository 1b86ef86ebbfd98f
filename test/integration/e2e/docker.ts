import { execFile } from "node:child_process";

export interface DockerCliResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs the Docker CLI (the stack commands and `docker build` exist only there), bounded in time.
 * Rejects with the command and the end of its output when it fails, so a failed build or deploy
 * says why in the test report.
 */
export function dockerCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<DockerCliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      "docker",
      [...args],
      {
        env: { ...process.env, ...options.env },
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) {
          const tail = `${stdout}\n${stderr}`.trim().split("\n").slice(-30).join("\n");
          reject(new Error(`docker ${args.join(" ")} failed: ${error.message}\n${tail}`));
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
  });
}
