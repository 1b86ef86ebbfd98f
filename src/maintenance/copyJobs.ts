import type Docker from "dockerode";
import { createJobNetwork, removeJobNetworksOf } from "../swarm/jobNetwork.js";
import { JOB_DONE, runJob, startJob } from "../swarm/oneShotJob.js";
import type { StartedJob } from "../swarm/oneShotJob.js";
import { DATA, dataMounts, indexOf, jobFailure } from "./jobStorage.js";
import type { MaintenanceTarget } from "./target.js";

/** A node of the Swarm, as the move names it. */
export interface NodeRef {
  nodeId: string;
  hostname: string;
}

export interface CopyOptions {
  image: string;
  timeoutMs: number;
  /** Bytes on the new node so far, and the total to copy (about once a second). */
  onProgress?: (done: number, total: number) => void;
}

/** What the receiving end got, checked against what the sending end sent. */
export interface CopyResult {
  /** Bytes of the tar stream, sent and received alike. */
  bytes: number;
  /** sha256 of the tar stream. */
  sha256: string;
  /** Regular files, and the sha256 over their names and contents, on both nodes alike. */
  files: number;
  treeSha256: string;
  /** Bytes of the data itself on the old node (`du -sb`). */
  dataBytes: number;
}

const PORT = 7000;

/** The app's storage as the lines `KIND SOURCE MEMBER` a job's shell reads, one per volume or directory. */
const EACH_MEMBER = `printf '%s\\n' "$INDEX" | while read -r kind source; do
  [ -n "$kind" ] || continue
  if [ "$kind" = volume ]; then member="volumes/$source"; else member="paths$source"; fi`;

/** The digest both ends compute of the data: every regular file's name and content, in order. */
const TREE_DIGEST = `tree_digest() {
  set --
  if [ -d volumes ]; then set -- "$@" volumes; fi
  if [ -d paths ]; then set -- "$@" paths; fi
  find "$@" -type f -exec sha256sum {} + | sort -k 2 > /tmp/tree
  printf '%s %s\\n' "$(wc -l < /tmp/tree)" "$(sha256sum < /tmp/tree | cut -d' ' -f1)"
}`;

/** On the new node, before anything stops: which of the app's volumes and directories hold data. */
const PROBE_SCRIPT = `set -eu
cd ${DATA}
${EACH_MEMBER}
  if [ -n "$(find "$member" -mindepth 1 -maxdepth 1 | head -n 1)" ]; then echo "alacrity-job: holds $kind $source"; fi
done
echo "${JOB_DONE}"
`;

/** On the new node: empties the app's volumes and directories there (a copy that did not finish). */
const EMPTY_SCRIPT = `set -eu
cd ${DATA}
${EACH_MEMBER}
  find "$member" -mindepth 1 -maxdepth 1 -exec rm -rf {} \\;
done
echo "${JOB_DONE}"
`;

/**
 * The sending end, on the old node: serves its data once as a tar stream over HTTP (BusyBox's
 * httpd and a CGI; BusyBox's nc drops what is in flight when its input ends), with the stream's
 * byte count and checksum written once it is sent, and the digest of the data computed before.
 * It ends when the receiving end says it is done.
 */
const SEND_SCRIPT = `set -eu
mkdir -p /tmp/www/cgi-bin
cd ${DATA}
${TREE_DIGEST}
tree_digest > /tmp/www/tree
du -sb . | cut -f1 > /tmp/www/total
cat > /tmp/www/cgi-bin/data <<'CGI'
#!/bin/sh
set -eu -o pipefail
cd ${DATA}
rm -f /tmp/sum.fifo /tmp/count.fifo
mkfifo /tmp/sum.fifo /tmp/count.fifo
sha256sum < /tmp/sum.fifo | cut -d' ' -f1 > /tmp/sent.sum &
summing=$!
wc -c < /tmp/count.fifo > /tmp/sent.bytes &
counting=$!
printf 'Content-Type: application/octet-stream\\r\\n\\r\\n'
set --
if [ -d volumes ]; then set -- "$@" volumes; fi
if [ -d paths ]; then set -- "$@" paths; fi
tar -c "$@" | tee /tmp/sum.fifo /tmp/count.fifo
wait $summing $counting
printf '%s %s\\n' "$(cat /tmp/sent.bytes)" "$(cat /tmp/sent.sum)" > /tmp/www/.sent
mv /tmp/www/.sent /tmp/www/sent
CGI
printf '#!/bin/sh\\nprintf "Content-Type: text/plain\\\\r\\\\n\\\\r\\\\nbye\\\\n"\\ntouch /tmp/done\\n' > /tmp/www/cgi-bin/done
chmod +x /tmp/www/cgi-bin/data /tmp/www/cgi-bin/done
httpd -p ${PORT} -h /tmp/www
until [ -f /tmp/done ]; do sleep 0.2; done
echo "alacrity-job: sent $(cat /tmp/www/sent) $(cat /tmp/www/tree)"
echo "${JOB_DONE}"
`;

/**
 * The receiving end, on the new node: empties what a killed run left there, fetches the
 * stream into the app's volumes and directories, and checks that the stream it received is the
 * one sent (bytes and sha256) and that the data it wrote has the digest of the data sent.
 */
const RECEIVE_SCRIPT = `set -eu -o pipefail
cd ${DATA}
${EACH_MEMBER}
  find "$member" -mindepth 1 -maxdepth 1 -exec rm -rf {} \\;
done
# BusyBox wget has no timeout of its own: a silent peer would hold it for as long as the kernel
# lets a connection hang. The small requests get 30 s; the stream, 60 s without a byte written.
fetch() { timeout 30 wget -q -O "$2" "http://$SENDER:${PORT}/$1"; }
stream() { wget -q -O - "http://$SENDER:${PORT}/cgi-bin/data"; }
started=$(date +%s)
until fetch total /tmp/total 2>/dev/null; do
  if [ $(($(date +%s) - started)) -ge 90 ]; then echo "alacrity-job: cannot reach the sending job $SENDER on port ${PORT} (tried for 90 s)" >&2; exit 7; fi
  sleep 0.5
done
echo "alacrity-job: total $(cat /tmp/total)"
( last=-1; still=0
  while sleep 1; do
    now=$(du -sb . | cut -f1)
    echo "alacrity-job: progress $now"
    if [ "$now" = "$last" ]; then still=$((still + 1)); else still=0; last=$now; fi
    if [ $still -ge 60 ]; then
      echo "alacrity-job: no data came from $SENDER for 60 s; giving up" >&2
      kill $(pidof wget) 2>/dev/null || true
      still=0
    fi
  done ) &
progress=$!
mkfifo /tmp/sum.fifo /tmp/count.fifo
sha256sum < /tmp/sum.fifo | cut -d' ' -f1 > /tmp/received.sum &
summing=$!
wc -c < /tmp/count.fifo > /tmp/received.bytes &
counting=$!
stream | tee /tmp/sum.fifo /tmp/count.fifo | tar -x
wait $summing $counting
kill $progress
fetch sent /tmp/sent
fetch tree /tmp/tree.sent
${TREE_DIGEST}
received="$(cat /tmp/received.bytes) $(cat /tmp/received.sum)"
tree=$(tree_digest)
fetch cgi-bin/done /dev/null || true
if [ "$received" != "$(cat /tmp/sent)" ]; then echo "alacrity-job: received $received, but $(cat /tmp/sent) was sent" >&2; exit 8; fi
if [ "$tree" != "$(cat /tmp/tree.sent)" ]; then echo "alacrity-job: the data written here ($tree) differs from the data sent ($(cat /tmp/tree.sent))" >&2; exit 9; fi
echo "alacrity-job: received $received $tree $(cat /tmp/total)"
echo "${JOB_DONE}"
`;

/** A job on the new node over the app's storage there, given `INDEX`. */
function onDestination(
  docker: Docker,
  source: MaintenanceTarget,
  to: NodeRef,
  options: CopyOptions,
  script: string,
  readOnly: boolean,
): ReturnType<typeof runJob> {
  const on = storageOn(source, to);
  return runJob(docker, {
    kind: "copy",
    app: source.app,
    nodeId: to.nodeId,
    image: options.image,
    script,
    env: { INDEX: indexOf(on) },
    mounts: dataMounts(on, readOnly),
    timeoutMs: options.timeoutMs,
  });
}

/** The app's storage on `on`, as a job there mounts it. */
const storageOn = (source: MaintenanceTarget, on: NodeRef): MaintenanceTarget => ({ ...source, ...on });

/**
 * Which of the app's volumes and host directories already hold data on the new node (a volume
 * missing there is created empty, labelled as the app's service would). A host directory that
 * does not exist there fails the job, with the fix in the error.
 */
export async function probeDestination(
  docker: Docker,
  source: MaintenanceTarget,
  to: NodeRef,
  options: CopyOptions,
): Promise<string[]> {
  const result = await onDestination(docker, source, to, options, PROBE_SCRIPT, true);
  if (!result.ok || !result.output.includes(JOB_DONE)) throw missingDirectory(result, source, to, options);
  return [...result.output.matchAll(/alacrity-job: holds (volume|path) (.+)/g)].map((m) =>
    m[1] === "volume" ? `volume ${m[2]}` : `host directory ${m[2]}`,
  );
}

function missingDirectory(
  result: Awaited<ReturnType<typeof runJob>>,
  source: MaintenanceTarget,
  to: NodeRef,
  options: CopyOptions,
): Error {
  if (/bind source path does not exist/.test(result.error)) {
    return new Error(
      `a host directory of ${source.app} does not exist on ${to.hostname} (${result.error}); create it there (same path, owner and mode), then run the move again`,
    );
  }
  return jobFailure("check", { app: source.app, hostname: to.hostname }, options.image, result);
}

/** Empties the app's volumes and directories on the new node: what a failed copy wrote. */
export async function emptyDestination(
  docker: Docker,
  source: MaintenanceTarget,
  to: NodeRef,
  options: CopyOptions,
): Promise<void> {
  const result = await onDestination(docker, source, to, options, EMPTY_SCRIPT, false);
  if (!result.ok)
    throw jobFailure("clean-up", { app: source.app, hostname: to.hostname }, options.image, result);
}

/**
 * Copies the app's volumes and host directories from its node to `to`: a sending job there and
 * a receiving job on `to`, on a temporary overlay network, both removed afterwards with it.
 */
export async function copyStorage(
  docker: Docker,
  source: MaintenanceTarget,
  to: NodeRef,
  options: CopyOptions,
): Promise<CopyResult> {
  const network = await createJobNetwork(docker, source.app);
  let sender: StartedJob | undefined;
  let receiver: StartedJob | undefined;
  try {
    sender = await startJob(docker, {
      kind: "copy",
      app: source.app,
      nodeId: source.nodeId,
      image: options.image,
      script: SEND_SCRIPT,
      env: {},
      mounts: dataMounts(source, true),
      networks: [network],
      endpointMode: "dnsrr",
      timeoutMs: options.timeoutMs,
    });
    const on = storageOn(source, to);
    receiver = await startJob(docker, {
      kind: "copy",
      app: source.app,
      nodeId: to.nodeId,
      image: options.image,
      script: RECEIVE_SCRIPT,
      env: { SENDER: sender.name, INDEX: indexOf(on) },
      mounts: dataMounts(on, false),
      networks: [network],
      timeoutMs: options.timeoutMs,
      ...(options.onProgress ? { onOutput: progressReader(options.onProgress) } : {}),
    });
    const received = await receiver.finish();
    receiver = undefined;
    const got = /alacrity-job: received (\d+) ([0-9a-f]{64}) (\d+) ([0-9a-f]{64}) (\d+)/.exec(
      received.output,
    );
    if (!received.ok || !got) {
      await sender.remove();
      sender = undefined;
      throw jobFailure("receiving", { app: source.app, hostname: to.hostname }, options.image, received);
    }
    const sent = await sender.finish();
    sender = undefined;
    const said = /alacrity-job: sent (\d+) ([0-9a-f]{64}) (\d+) ([0-9a-f]{64})/.exec(sent.output);
    if (!sent.ok || !said) throw jobFailure("sending", source, options.image, sent);
    // The receiving end compared them already; checked here too from what each end printed.
    if (said.slice(1, 5).join(" ") !== got.slice(1, 5).join(" ")) {
      throw new Error(
        `the copy of ${source.app} does not match: ${said.slice(1, 5).join(" ")} sent, ${got.slice(1, 5).join(" ")} received`,
      );
    }
    return {
      bytes: Number(got[1]),
      sha256: got[2] ?? "",
      files: Number(got[3]),
      treeSha256: got[4] ?? "",
      dataBytes: Number(got[5]),
    };
  } finally {
    await receiver?.remove();
    await sender?.remove();
    await removeJobNetworksOf(docker, source.app).catch(() => undefined);
  }
}

/** Reads the receiving job's `total` and latest `progress` lines. */
function progressReader(onProgress: (done: number, total: number) => void): (output: string) => void {
  return (output) => {
    const total = /alacrity-job: total (\d+)/.exec(output);
    const lines = [...output.matchAll(/alacrity-job: progress (\d+)/g)];
    const last = lines[lines.length - 1];
    if (total && last) onProgress(Number(last[1]), Number(total[1]));
  };
}
