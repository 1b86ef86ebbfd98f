import { hostname } from "node:os";
import { Option } from "commander";
import type { Command } from "commander";
import type { Logger } from "pino";
import { Daemon } from "../controller/daemon.js";
import { backgroundClock } from "../domain/clock.js";
import { collectGrownHeap } from "../controller/heapCollector.js";
import { leaseIdentity } from "../controller/leaseTypes.js";
import { LeasedDaemon } from "../controller/leaseDaemon.js";
import { ControllerMetrics } from "../controller/metrics.js";
import { swarmDaemonDeps } from "../controller/swarmDeps.js";
import { parseDuration } from "../gitsource/duration.js";
import { GitOps, defaultGitWorkdir } from "../gitsource/gitOps.js";
import { redactUrl } from "../gitsource/redact.js";
import { webhookHandler } from "../gitsource/webhook.js";
import { readWebhookSecret } from "../gitsource/webhookSecret.js";
import { parseListenAddress, startHttpServer } from "../http/server.js";
import { clusterView } from "../web/clusterView.js";
import { webView } from "../web/webView.js";
import { warmParser } from "../manifest/loader/index.js";
import { SwarmLeaseStore } from "../swarm/leaseStore.js";
import {
  addAgeKeyFileOption,
  addDirOptions,
  addRemovalGuardOptions,
  planOptionsOf,
  positiveNumber,
  requireDir,
} from "./commonOptions.js";
import type { DirOptions } from "./commonOptions.js";
import { ExitError } from "./exitError.js";
import { addBackupFirstOptions, backupFirstOptions } from "./backupFirstOptions.js";
import { createLogger } from "./logger.js";
import { StopSignals } from "./stopSignals.js";
import { openDocker } from "./swarmSession.js";

interface RunCommandOptions extends DirOptions {
  backupDir?: string;
  helperImage: string;
  listen: string;
  resync: number;
  concurrency: number;
  allowEmpty: boolean;
  allowMassPrune: boolean;
  gitUrl?: string;
  gitRef?: string;
  gitPath?: string;
  gitInterval: number;
  gitWorkdir?: string;
  webhookSecretFile?: string;
  lease: boolean;
  leaseDuration: number;
}

/** A first signal stops gracefully; if that takes longer than this, the process exits anyway. */
const STOP_GRACE_MS = 9_000;

const positive = (name: string) => positiveNumber(name, false);

const duration =
  (name: string) =>
  (value: string): number => {
    try {
      return parseDuration(value);
    } catch (err) {
      throw new ExitError(1, `alacrity: ${name}: ${(err as Error).message}`);
    }
  };

function newGitOps(options: RunCommandOptions, url: string, logger: Logger): GitOps {
  try {
    return new GitOps({
      url,
      ref: options.gitRef,
      path: options.gitPath,
      workdir: options.gitWorkdir ?? defaultGitWorkdir(options.instance),
      intervalMs: options.gitInterval,
      credentials: {
        token: process.env.ALACRITY_GIT_TOKEN || undefined,
        tokenUser: process.env.ALACRITY_GIT_TOKEN_USER || undefined,
      },
      logger,
    });
  } catch (err) {
    throw new ExitError(1, `alacrity: ${(err as Error).message}`);
  }
}

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
      new Option(
        "--listen <address>",
        "HTTP address of the web view (/) and of /healthz, /readyz, /metrics, /status",
      )
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
    .addOption(
      new Option("--git-url <url>", "follow a Git repository instead of --dir").env("ALACRITY_GIT_URL"),
    )
    .addOption(
      new Option("--git-ref <ref>", "branch or tag to follow (default: the remote's HEAD)").env(
        "ALACRITY_GIT_REF",
      ),
    )
    .addOption(
      new Option("--git-path <subdir>", "manifests directory inside the repository").env("ALACRITY_GIT_PATH"),
    )
    .addOption(
      new Option("--git-interval <duration>", "polling period, e.g. 30s, 5m")
        .env("ALACRITY_GIT_INTERVAL")
        .argParser(duration("--git-interval"))
        .default(30_000, "30s"),
    )
    .addOption(
      new Option(
        "--git-workdir <dir>",
        "where clones and checkouts go (default: $XDG_STATE_HOME or /var/lib/alacrity)",
      ).env("ALACRITY_GIT_WORKDIR"),
    )
    .addOption(
      new Option("--lease-duration <seconds>", "how long a leader's lease lasts without renewal")
        .env("ALACRITY_LEASE_DURATION")
        .argParser(positive("--lease-duration"))
        .default(30),
    )
    .option("--no-lease", "reconcile without taking the instance's lease (only one controller may run)")
    .option(
      "--webhook-secret-file <file>",
      "enable POST /hooks/git with this shared secret (or set ALACRITY_WEBHOOK_SECRET)",
    )
    .addHelpText(
      "after",
      "\nRuns until SIGTERM or SIGINT, then stops intake, lets in-flight work finish and exits 0 (a second signal exits at once).\n\nExamples:\n  alacrity run --dir /srv/alacrity/apps\n  alacrity run --dir apps --listen 0.0.0.0:9464 --resync 30\n  alacrity run --git-url https://git.example.com/ops/apps.git --git-ref main --git-path apps\n\nGit credentials: an SSH key through GIT_SSH_COMMAND, a credential helper, or a token in ALACRITY_GIT_TOKEN (sent as an HTTP header; ALACRITY_GIT_TOKEN_USER makes it Basic auth). See docs/gitops.md.",
    );
  addBackupFirstOptions(addAgeKeyFileOption(addDirOptions(addRemovalGuardOptions(command), true))).action(
    async (options: RunCommandOptions) => {
      const stopSignals = new StopSignals();
      if (options.gitUrl && options.dir) {
        throw new ExitError(1, "alacrity: --dir and --git-url exclude each other (is ALACRITY_DIR set?)");
      }
      const { host, port } = listenAddress(options.listen);
      const logger = await createLogger();
      const webhookSecret = await readWebhookSecret(options.webhookSecretFile).catch((err: unknown) => {
        throw new ExitError(1, `alacrity: ${(err as Error).message}`);
      });
      const git = options.gitUrl ? newGitOps(options, options.gitUrl, logger) : undefined;
      const dir = git ? git.appsDir : requireDir(options);
      const docker = openDocker();
      const deps = swarmDaemonDeps({
        docker,
        dir,
        logger,
        plan: planOptionsOf(options, options),
        revision: git?.revision,
        ...(options.ageKeyFile !== undefined ? { ageKeyFile: options.ageKeyFile } : {}),
        backups: backupFirstOptions(options, (line) => logger.info(line)),
      });
      const daemonDeps = git ? git.wrap(deps) : deps;
      const metrics = new ControllerMetrics();
      // Two controllers of one instance never fight: only the holder of the lease reconciles.
      const controller = new LeasedDaemon({
        newDaemon: () =>
          new Daemon(daemonDeps, {
            instance: options.instance,
            resyncIntervalMs: options.resync * 1000,
            concurrency: options.concurrency,
            metrics,
          }),
        onDaemonStarted: (daemon) => git?.attach(daemon),
        lease: options.lease
          ? {
              store: new SwarmLeaseStore(docker, options.instance),
              identity: leaseIdentity(hostname(), process.pid),
              durationMs: options.leaseDuration * 1000,
            }
          : undefined,
        metrics,
        logger,
      });
      const web = webView({
        view: () =>
          clusterView({
            instance: options.instance,
            apps: controller.daemon.statusRows(),
            observed: controller.daemon.lastObserved,
            actions: controller.daemon.recentActions(),
            lastSync: controller.daemon.lastSuccessfulSync,
            readiness: git ? git.readiness(() => controller.readiness()) : controller.readiness(),
            ...(git ? { git: git.status() } : {}),
            ...(options.lease ? { lease: controller.lease() } : {}),
            now: Date.now(),
          }),
      });
      const http = await startHttpServer({
        host,
        port,
        getRoutes: web.routes,
        registry: metrics.registry,
        readiness: () => (git ? git.readiness(() => controller.readiness()) : controller.readiness()),
        status: () => ({
          apps: controller.daemon.statusRows(),
          ...(options.lease ? { lease: controller.lease() } : {}),
          ...(git ? { git: git.status() } : {}),
        }),
        postRoutes: webhookSecret
          ? {
              "/hooks/git": webhookHandler({
                secret: webhookSecret,
                logger,
                trigger: (reason) => (git ? git.trigger(reason) : void controller.daemon.resync(reason)),
              }),
            }
          : {},
      }).catch((err: unknown) => {
        throw new ExitError(1, `alacrity: cannot listen on ${options.listen}: ${(err as Error).message}`);
      });
      git?.registerMetrics(metrics.registry);
      logger.info(
        {
          dir,
          instance: options.instance,
          http: http.url,
          ...(git ? { git: redactUrl(git.source.status().url), ref: git.source.status().ref } : {}),
          webhook: webhookSecret ? `${http.url}/hooks/git` : "off",
        },
        `alacrity is running; view: ${http.url}/, status: ${http.url}/status, metrics: ${http.url}/metrics`,
      );

      let stopping = false;
      const stopped = new Promise<void>((resolve) => {
        let signals = 0;
        const onSignal = (signal: NodeJS.Signals): void => {
          signals++;
          if (signals > 1) {
            logger.warn({ signal }, "second signal: exiting at once");
            process.exit(130);
          }
          logger.info({ signal }, "stopping: no new work, finishing what is in flight");
          backgroundClock.setTimeout(() => {
            logger.warn("in-flight work did not finish in time; exiting");
            process.exit(0);
          }, STOP_GRACE_MS);
          stopping = true;
          web.close();
          void Promise.allSettled([git?.stop(), controller.stop(), http.close()]).then(() => resolve());
        };
        stopSignals.handle(onSignal);
      });
      if (git) {
        await git.start().catch((err: unknown) => {
          throw new ExitError(1, `alacrity: cannot use the Git working directory: ${(err as Error).message}`);
        });
        // The daemon starts on a checkout, never on an empty directory (see --allow-empty).
        await Promise.race([git.firstCheckout(), stopped]);
      }
      // Once started, load the parser in the background (the first sync may have taken every
      // manifest from the parse cache): the first edit then does not wait for it.
      backgroundClock.setTimeout(warmParser, 2000);
      collectGrownHeap();
      if (!stopping) await controller.start();
      await stopped;
    },
  );
}
