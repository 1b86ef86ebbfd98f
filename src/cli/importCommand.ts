import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { convertCompose } from "../compose/convert/convertCompose.js";
import { envFilePaths } from "../compose/convert/environment.js";
import {
  formatFinding,
  formatLoadError,
  importExitStatus,
  importFindings,
} from "../compose/convert/findings.js";
import { manifestText } from "../compose/convert/manifestText.js";
import { loadCompose } from "../compose/load/loadCompose.js";
import { writeOutput } from "../compose/write/writeOutput.js";
import { printable } from "../manifest/format.js";
import { DEFAULT_HOST_PATH_ROOTS } from "../rules/hostPaths.js";
import { addAllowHostPathOption, addOutputOption, printJson } from "./commonOptions.js";
import { ExitError } from "./exitError.js";
import { dockerAddress, openDocker } from "./swarmSession.js";
import { dockerMessage, stackPlacement } from "../swarm/index.js";
import type { StackPlacement } from "../swarm/index.js";

interface ImportOptions {
  stack?: string;
  out: string;
  envFile?: string;
  force: boolean;
  output: "text" | "json";
  allowHostPath?: string[];
}

/** The package's JSON Schema (dist/cli/ and src/cli/ are both two levels below the package). */
const SCHEMA = fileURLToPath(new URL("../../schema/app.schema.json", import.meta.url));

const STATUS = { 0: "complete", 1: "incomplete", 2: "complete with warnings" } as const;

export function registerImportCommand(program: Command): void {
  const command = program
    .command("import")
    .description("turn compose files (as used with docker stack deploy) into AlaCrity manifests, offline")
    .argument("<composeFiles...>", "compose files, merged in order as docker stack deploy -c ... -c ... does")
    .option(
      "--stack <name>",
      "the stack the files were deployed as: keep its volumes, networks, secrets and configs",
    )
    .option("--out <dir>", "the directory the manifests are written to", "apps")
    .option("--env-file <file>", "variables for interpolation (default: .env next to the first compose file)")
    .option("--force", "overwrite files that exist in the output directory", false)
    .addHelpText(
      "after",
      "\nExit status: 0 complete; 2 complete with warnings (replicas lowered, renames, a new empty volume, ...); 1 incomplete (a key that could not be expressed), files that exist (without --force) or compose files that cannot be read.\n\nExamples:\n  alacrity import compose.yaml --out apps\n  alacrity import compose.yaml compose.prod.yaml --stack shop --out apps\n  alacrity import compose.yaml --output json | jq .findings",
    );
  addOutputOption(addAllowHostPathOption(command)).action(async (files: string[], options: ImportOptions) => {
    const loaded = await loadCompose(files, {
      env: process.env,
      ...(options.envFile ? { envFile: options.envFile } : {}),
      cwd: process.cwd(),
    });
    if (!loaded.ok) {
      throw new ExitError(1, loaded.errors.map(formatLoadError));
    }
    const projectDir = resolve(dirname(files[0] ?? "."));
    const outDir = resolve(options.out);
    const result = convertCompose(loaded.document, {
      ...(options.stack === undefined
        ? {}
        : { stack: options.stack, deployment: await readDeployment(options.stack) }),
      projectDir,
      outDir,
      env: process.env,
      envFiles: readEnvFiles(envFilePaths(loaded.document.root, projectDir)),
      hostPathRoots: options.allowHostPath ?? DEFAULT_HOST_PATH_ROOTS,
    });
    if (!result.ok) throw new ExitError(1, [...result.errors.map(formatFinding), "nothing was written"]);
    const schemaPath = relative(outDir, SCHEMA).split("\\").join("/");
    const texts = result.files.map((file) => ({
      name: file.name,
      text: manifestText(file, files, schemaPath),
    }));
    const written = writeOutput(outDir, texts, options.force);
    if (written.refused.length > 0) {
      const list = written.refused.map((path) => `  ${path}`);
      throw new ExitError(1, [
        `alacrity: ${written.refused.length} file(s) exist already; nothing was written (give --force to overwrite them):`,
        ...list,
      ]);
    }
    const findings = importFindings(loaded.warnings, result.findings);
    const code = importExitStatus(findings);
    if (options.output === "json") {
      printJson({
        status: STATUS[code],
        outDir,
        files: written.written,
        findings: findings.map((f) => ({ ...f, text: formatFinding(f) })),
      });
    } else {
      const lines = findings.map(formatFinding);
      const count = (severity: string) => findings.filter((f) => f.severity === severity).length;
      const summary = `Wrote ${written.written.length} file(s) to ${outDir}: import ${STATUS[code]} (${count("unsupported")} not expressible, ${count("warning")} warning(s), ${count("note")} note(s)).`;
      process.stderr.write(`${[...lines, printable(summary)].join("\n")}\n`);
    }
    if (code !== 0) throw new ExitError(code);
  });
}

/** The env files, read here so that the converter stays pure; a file that cannot be read says why. */
type EnvFileRead = { text: string } | { error: string };

function readEnvFiles(paths: readonly string[]): Map<string, EnvFileRead> {
  return new Map(
    paths.map((path): [string, EnvFileRead] => {
      try {
        return [path, { text: readFileSync(path, "utf8") }];
      } catch (error) {
        return [path, { error: (error as NodeJS.ErrnoException).code ?? "cannot read it" }];
      }
    }),
  );
}

/** How long import waits for a Swarm it cannot reach: it works offline, the pins are a bonus. */
const SWARM_READ_TIMEOUT_MS = 5_000;

/** Where the deployed stack's services run, or why the Swarm could not say (import goes on). */
async function readDeployment(stack: string): Promise<{ nodes: StackPlacement } | { unreadable: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer from ${dockerAddress()} in ${SWARM_READ_TIMEOUT_MS / 1000} s`)),
      SWARM_READ_TIMEOUT_MS,
    );
  });
  try {
    return { nodes: await Promise.race([stackPlacement(openDocker(), stack), timeout]) };
  } catch (err) {
    return { unreadable: `${dockerAddress()}: ${dockerMessage(err)}` };
  } finally {
    clearTimeout(timer);
  }
}
