import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APP_PREFIX, IMAGE } from "./config.js";

export interface AppSet {
  /** App names, `bench-<kind><index>`. */
  names: string[];
  replicas: number;
}

export function appSet(kind: string, count: number, replicas: number): AppSet {
  const width = String(count - 1).length;
  const names = Array.from(
    { length: count },
    (_, i) => `${APP_PREFIX}${kind}${String(i).padStart(width, "0")}`,
  );
  return { names, replicas };
}

/** One manifest per app; `env` lets an edit change exactly one app. */
export function manifestText(name: string, replicas: number, env: Record<string, string> = {}): string {
  const envLines = Object.entries(env).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}\n`);
  return (
    `apiVersion: alacrity.dev/v1\nkind: App\nmetadata:\n  name: ${name}\nspec:\n` +
    `  image: ${IMAGE}\n  command: ["sleep", "3600"]\n  replicas: ${replicas}\n` +
    (envLines.length ? `  env:\n${envLines.join("")}` : "")
  );
}

/** The equivalent compose v3.8 file for `docker stack deploy`. */
export function composeText(set: AppSet): string {
  const services = set.names.map(
    (name) =>
      `  ${name}:\n    image: ${IMAGE}\n    command: ["sleep", "3600"]\n    deploy:\n      replicas: ${set.replicas}\n`,
  );
  return `version: "3.8"\nservices:\n${services.join("")}`;
}

/** A scratch directory holding `apps/` (the manifests) and `compose.yml`. */
export class Workspace {
  readonly root = mkdtempSync(join(tmpdir(), "alacrity-bench-"));
  readonly appsDir = join(this.root, "apps");
  readonly composeFile = join(this.root, "compose.yml");

  constructor(readonly set: AppSet) {
    mkdirSync(this.appsDir);
    for (const name of set.names) this.writeApp(name);
    writeFileSync(this.composeFile, composeText(set));
  }

  writeApp(name: string, env: Record<string, string> = {}): void {
    writeFileSync(join(this.appsDir, `${name}.yaml`), manifestText(name, this.set.replicas, env));
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
