import { Counter, Gauge, type Registry } from "prom-client";

export interface GitMetricsSource {
  url: string;
  ref: string;
  revision?: string;
  appliedRevision?: string;
  /** Unix ms. */
  lastFetchMs?: number;
  fetchErrors: number;
  /** True while the current commit has invalid manifests or rejected apps. */
  failed: boolean;
}

/** The Git source's metrics, computed from its status when scraped. */
export function registerGitMetrics(registry: Registry, read: () => GitMetricsSource): void {
  const registers = [registry];
  const info = new Gauge({
    name: "alacrity_git_info",
    help: "Always 1; labels: the followed URL (credentials redacted) and ref, the commit being applied and the last fully applied one.",
    labelNames: ["url", "ref", "revision", "applied_revision"],
    registers,
    collect() {
      const s = read();
      info.reset();
      info.set(
        { url: s.url, ref: s.ref, revision: s.revision ?? "", applied_revision: s.appliedRevision ?? "" },
        1,
      );
    },
  });
  const lastFetch = new Gauge({
    name: "alacrity_git_last_fetch_timestamp_seconds",
    help: "When the remote was last fetched successfully (Unix seconds; 0 = never).",
    registers,
    collect() {
      lastFetch.set((read().lastFetchMs ?? 0) / 1000);
    },
  });
  const errors = new Counter({
    name: "alacrity_git_fetch_errors_total",
    help: "Fetch attempts that failed (unreachable remote, missing ref, corrupt repository, ...).",
    registers,
    collect() {
      errors.reset();
      errors.inc(read().fetchErrors);
    },
  });
  const failed = new Gauge({
    name: "alacrity_git_revision_failed",
    help: "1 while the current commit has invalid manifests or rejected apps (its valid apps are applied).",
    registers,
    collect() {
      failed.set(read().failed ? 1 : 0);
    },
  });
}
