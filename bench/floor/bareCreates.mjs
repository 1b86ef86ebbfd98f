// The floor of a cold apply: N service creates with nothing but node:http, 16 in flight, no
// manifests, no planning, no logging. Run as its own process, so it is measured like the CLI.
// Usage: node bareCreates.mjs COUNT PREFIX IMAGE [SPEC.json]
// With SPEC.json (e.g. `docker service inspect NAME --format '{{json .Spec}}'` of a service
// AlaCrity made), every create sends that spec under a new name instead of the minimal one: the
// engine's own cost of what AlaCrity creates.
import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import process from "node:process";

const [count = "1000", prefix = "bench-floor", image = "alacrity-test/busybox:1", specFile] =
  process.argv.slice(2);
const spec = specFile ? JSON.parse(readFileSync(specFile, "utf8")) : undefined;
const total = Number(count);
const agent = new Agent({ keepAlive: true });

function create(name) {
  const body = JSON.stringify(
    spec
      ? { ...spec, Name: name }
      : {
          Name: name,
          Labels: { "alacrity.instance": "bench" },
          TaskTemplate: { ContainerSpec: { Image: image, Command: ["sleep", "3600"] } },
          Mode: { Replicated: { Replicas: 0 } },
        },
  );
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath: "/var/run/docker.sock",
        method: "POST",
        path: "/services/create",
        agent,
        headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) },
      },
      (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () =>
          res.statusCode === 201
            ? resolve()
            : reject(new Error(`${name}: ${res.statusCode} ${Buffer.concat(chunks).toString()}`)),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

let next = 0;
const worker = async () => {
  while (next < total) await create(`${prefix}-${next++}`);
};
await Promise.all(Array.from({ length: 16 }, worker));
agent.destroy();
