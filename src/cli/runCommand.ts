import { Option } from "commander";
import type { Command } from "commander";
import { Daemon } from "../controller/daemon.js";
import { swarmDaemonDeps } from "../controller/swarmDeps.js";
import { parseListenAddress, startHttpServer } from "../http/server.js";
import { addDirOptions, requireDir } from "./commonOptions.js";
import type { DirOptions } from "./commonOptions.js";
import { ExitError } from "./exitError.js";
import { createLogger } from "./logger.js";
import { openDocker } from "./swarmSession.js";

interface RunCommandOptions extends DirOptions {
  listen: string;
  resync: number;
  concurrency: number;
  allowEmpty: boolean;
  allowMassPrune: boolean;
}

/** A first signal stops gracefully; if that takes longer than this, the process exits anyway. */
const STOP_GRACE_MS = 9_000;

const positive =
  (name: string) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0)
      throw new ExitError(1, `alacrity: ${name} must be a positive number, got "${value}"`);
    return n;
  };

function listenAddress(text: string): { host: string; port: number } {
  try {
    return parseListenAddress(text);
  } catch (err) {
    throw new ExitError(1, `alacrity: --listen: ${(err as Error).message}`);
  }
}

export function registerRunCommand(program: Command): void {
  const command = program
    .command("run")
    .description("the daemon: watch DIR, reconcile on every change, on Swarm events and periodically")
    .addOption(
      new Option("--listen <address>", "HTTP address of /healthz, /readyz, /metrics, /status")
        .env("ALACRITY_LISTEN")
        .default("127.0.0.1:9464"),
    )
    .addOption(
      new Option("--resync <seconds>", "full resync period")
        .env("ALACRITY_RESYNC")
        .argParser(positive("--resync"))
        .default(60),
    )
    .addOption(
      new Option("--concurrency <n>", "apps reconciled at once")
        .argParser(positive("--concurrency"))
        .default(4),
    )
    .option("--allow-empty", "allow removing every managed app when DIR is empty or missing", false)
    .option(
      "--allow-mass-prune",
      "allow removing more than half of the managed apps (and more than two) at once",
      false,
    )
    .addHelpText(
      "after",
      "\nRuns until SIGTERM or SIGINT, then stops intake, lets in-flight work finish and exits 0 (a second signal exits at once).\n\nExamples:\n  alacrity run --dir /srv/alacrity/apps\n  alacrity run --dir apps --listen 0.0.0.0:9464 --resync 30",
    );
  addDirOptions(command, true).action(async (options: RunCommandOptions) => {
    const dir = requireDir(options);
    const { host, port } = listenAddress(options.listen);
    const logger = createLogger();
    const docker = openDocker();
    const daemon = new Daemon(
      swarmDaemonDeps({
        docker,
        dir,
        logger,
        plan: {
          instance: options.instance,
          allowEmpty: options.allowEmpty,
          allowMassPrune: options.allowMassPrune,
        },
      }),
      {
        instance: options.instance,
        resyncIntervalMs: options.resync * 1000,
        concurrency: options.concurrency,
      },
    );
    const http = await startHttpServer({
      host,
      port,
      registry: daemon.metrics.registry,
      readiness: () => daemon.readiness(),
      status: () => ({ apps: daemon.statusRows() }),
    }).catch((err: unknown) => {
      throw new ExitError(1, `alacrity: cannot listen on ${options.listen}: ${(err as Error).message}`);
    });
    logger.info(
      { dir, instance: options.instance, http: http.url },
      `alacrity is running; status: ${http.url}/status, metrics: ${http.url}/metrics`,
    );

    const stopped = new Promise<void>((resolve) => {
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals): void => {
        signals++;
        if (signals > 1) {
          logger.warn({ signal }, "second signal: exiting at once");
          process.exit(130);
        }
        logger.info({ signal }, "stopping: no new work, finishing what is in flight");
        const force = setTimeout(() => {
          logger.warn("in-flight work did not finish in time; exiting");
          process.exit(0);
        }, STOP_GRACE_MS);
        force.unref();
        void Promise.allSettled([daemon.stop(), http.close()]).then(() => resolve());
      };
      process.on("SIGTERM", onSignal);
      process.on("SIGINT", onSignal);
    });
    await daemon.start();
    await stopped;
  });
}
