import { readFileSync } from "node:fs";

/** The package version; package.json is two levels up from both src/cli and dist/cli. */
export function packageVersion(): string {
  const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  const { version } = JSON.parse(text) as { version?: unknown };
  return typeof version === "string" ? version : "unknown";
}
