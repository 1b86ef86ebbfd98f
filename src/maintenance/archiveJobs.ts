import type Docker from "dockerode";
import { JOB_DONE, runJob } from "../swarm/oneShotJob.js";
import { DATA, dataMounts, indexOf, jobFailure } from "./jobStorage.js";
import type { MaintenanceTarget } from "./target.js";

export interface JobOptions {
  /** The helper image (`--helper-image`). */
  image: string;
  /** A directory on the app's node, allowed by the host-path policy (`--backup-dir`). */
  backupDir: string;
  timeoutMs: number;
}

/** An archive on a node: a gzip'd tar of the app's data, and its `.sha256` beside it. */
export interface Archive {
  nodeId: string;
  hostname: string;
  /** The archive's path on the node. */
  path: string;
  bytes: number;
  sha256: string;
}

const BACKUPS = "/alacrity/backups";

const backupsMount = (dir: string, readOnly: boolean): Docker.MountSettings => ({
  Type: "bind",
  Source: dir,
  Target: BACKUPS,
  ReadOnly: readOnly,
});

/** `db--20261203T114501Z.tar.gz`: by app and UTC time, sortable. */
export function archiveName(app: string, at: Date, suffix = ""): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${app}--${stamp}${suffix}.tar.gz`;
}

/**
 * Written to a hidden partial file first and renamed once complete, so an archive that exists
 * under its name is whole; its checksum file is written after it.
 */
const ARCHIVE_SCRIPT = `set -eu
out="${BACKUPS}/$ARCHIVE"
part="${BACKUPS}/.$ARCHIVE.partial"
cd ${DATA}
printf '%s\\n' "$INDEX" > alacrity-index
set -- alacrity-index
if [ -d volumes ]; then set -- "$@" volumes; fi
if [ -d paths ]; then set -- "$@" paths; fi
trap 'rm -f "$part"' EXIT
tar -czf "$part" "$@"
size=$(wc -c < "$part")
sum=$(sha256sum "$part" | cut -d' ' -f1)
mv "$part" "$out"
trap - EXIT
printf '%s  %s\\n' "$sum" "$ARCHIVE" > "$out.sha256"
echo "alacrity-job: archive $size $sum"
echo "${JOB_DONE}"
`;

/** Archives the target's storage on its node into `options.backupDir/name`. */
export async function archiveStorage(
  docker: Docker,
  target: MaintenanceTarget,
  options: JobOptions,
  name: string,
): Promise<Archive> {
  const result = await runJob(docker, {
    kind: "backup",
    app: target.app,
    nodeId: target.nodeId,
    image: options.image,
    script: ARCHIVE_SCRIPT,
    env: { ARCHIVE: name, INDEX: indexOf(target) },
    mounts: [...dataMounts(target, true), backupsMount(options.backupDir, false)],
    timeoutMs: options.timeoutMs,
  });
  const line = /alacrity-job: archive\s+(\d+)\s+([0-9a-f]{64})/.exec(result.output);
  if (!result.ok || !line) throw jobFailure("archive", target, options.image, result, options.backupDir);
  return {
    nodeId: target.nodeId,
    hostname: target.hostname,
    path: `${options.backupDir.replace(/\/+$/, "")}/${name}`,
    bytes: Number(line[1]),
    sha256: line[2] ?? "",
  };
}

/**
 * Checks the archive against its checksum and its index against the app's own storage (a
 * member for any other volume or directory refuses the whole restore, as does a name that
 * climbs out with `..`), then empties each of the app's volumes and directories the archive
 * holds and extracts it there, owners and modes as archived.
 */
const RESTORE_SCRIPT = `set -eu
cd ${BACKUPS}
if [ ! -f "$ARCHIVE" ]; then echo "alacrity-job: no archive $ARCHIVE in the backup directory" >&2; exit 3; fi
if [ ! -f "$ARCHIVE.sha256" ]; then echo "alacrity-job: no checksum file $ARCHIVE.sha256 beside the archive" >&2; exit 3; fi
if ! sha256sum -c "$ARCHIVE.sha256" >/dev/null 2>&1; then echo "alacrity-job: $ARCHIVE does not match its checksum: it is damaged or was changed" >&2; exit 4; fi
tar -tzf "$ARCHIVE" > /tmp/members
if grep -q -e '^/' -e '^\\.\\./' -e '/\\.\\./' -e '/\\.\\.$' /tmp/members; then echo "alacrity-job: $ARCHIVE has a member outside its own tree: refusing" >&2; exit 5; fi
mkdir -p /tmp/index
tar -xzf "$ARCHIVE" -C /tmp/index alacrity-index
set --
while read -r kind source; do
  [ -n "$kind" ] || continue
  if ! printf '%s\\n' "$ALLOWED" | grep -qxF "$kind $source"; then
    echo "alacrity-job: the archive holds $kind $source, which is not this app's: refusing to restore into it" >&2; exit 6
  fi
  if [ "$kind" = volume ]; then member="volumes/$source"; else member="paths$source"; fi
  set -- "$@" "$member"
done < /tmp/index/alacrity-index
if [ $# -eq 0 ]; then echo "alacrity-job: the archive holds no volume or directory" >&2; exit 6; fi
for member in "$@"; do
  find "${DATA}/$member" -mindepth 1 -maxdepth 1 -exec rm -rf {} \\;
done
tar -xzf "$ARCHIVE" -C ${DATA} "$@"
echo "alacrity-job: restored $#"
echo "${JOB_DONE}"
`;

/** Puts the archive `name` from `options.backupDir` back into the target's storage. */
export async function restoreStorage(
  docker: Docker,
  target: MaintenanceTarget,
  options: JobOptions,
  name: string,
): Promise<void> {
  const result = await runJob(docker, {
    kind: "restore",
    app: target.app,
    nodeId: target.nodeId,
    image: options.image,
    script: RESTORE_SCRIPT,
    env: { ARCHIVE: name, ALLOWED: indexOf(target) },
    mounts: [...dataMounts(target, false), backupsMount(options.backupDir, true)],
    timeoutMs: options.timeoutMs,
  });
  if (!result.ok || !result.output.includes("alacrity-job: restored"))
    throw jobFailure("restore", target, options.image, result, options.backupDir);
}
