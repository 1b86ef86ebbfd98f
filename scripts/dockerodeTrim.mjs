// An esbuild plugin that keeps out of the `alacrity` binary the parts of dockerode it never runs,
// or runs only for some users:
// - dockerode's BuildKit session and progress decoder (./session, ./buildkit): gRPC and protobuf,
//   ~0.2 s and ~20 MB at every start, for building images, which AlaCrity never does;
// - docker-modem's ssh2 transport (./ssh): ssh:// hosts are reached through the user's own `ssh`
//   (src/swarm/sshAgent.ts), as the Docker CLI does; ssh2 checks no host key and reads neither
//   ~/.ssh/config nor the user's keys, so it must never run;
// - dockerode's build-context packer (tar-fs, @balena/dockerignore), used only to build images;
// - readable-stream, docker-modem's copy of Node's streams, replaced by node:stream itself;
// - docker-modem's redirect-following wrapper of node:http (./http): it copies and `url.format`s
//   every request's options to follow 3xx answers, which the Engine API never sends;
// - docker-modem's formatting of every request for that log (`util.inspect` of the request
//   options, evaluated even when the log is off: ~20 µs a request, 1000 of them in a cold apply);
// - docker-modem's `debug` log: with DEBUG=modem it would print every answer of Docker, service
//   specs with their environment values (secrets) included, and the TLS options with the key.
import { readFile } from "node:fs/promises";
import { sep } from "node:path";

const NAMESPACE = "alacrity-trimmed";
const NO_BUILDS = "AlaCrity does not build images: dockerode's BuildKit support is left out of this binary";
const NO_SSH2 =
  "docker-modem's ssh2 transport is left out of this binary: ssh:// hosts are reached through ssh";

const STUBS = {
  session: `module.exports = function withSession(_docker, _auth, handler) { handler(new Error(${JSON.stringify(NO_BUILDS)})); };`,
  buildkit: `exports.followProgress = function () { throw new Error(${JSON.stringify(NO_BUILDS)}); };`,
  debug: "module.exports = function () { return function debug() {}; };",
  ssh: `module.exports = function () { throw new Error(${JSON.stringify(NO_SSH2)}); };`,
  "tar-fs": `exports.pack = function () { throw new Error(${JSON.stringify(NO_BUILDS)}); };`,
  "@balena/dockerignore": `module.exports = function () { throw new Error(${JSON.stringify(NO_BUILDS)}); };`,
  "readable-stream": 'module.exports = require("node:stream");',
  http: 'module.exports = { http: require("node:http"), https: require("node:https") };',
};

/** `debug('Sending: %s', util.inspect(options, { showHidden: true, depth: null }));` in Modem.dial. */
const SENDING_LOG = /debug\('Sending: %s', util\.inspect\(options, \{[^}]*\}\)\);/;

const within = (dir, pkg) =>
  dir.split(sep).join("/").includes(`/node_modules/${pkg}/`) || dir.endsWith(`/node_modules/${pkg}`);

/** @type {import("esbuild").Plugin} */
export const dockerodeTrim = {
  name: "dockerode-trim",
  setup(build) {
    build.onResolve({ filter: /^\.\/(session|buildkit)$/ }, (args) =>
      within(args.resolveDir, "dockerode") ? { path: args.path.slice(2), namespace: NAMESPACE } : undefined,
    );
    build.onResolve({ filter: /^debug$/ }, (args) =>
      within(args.resolveDir, "docker-modem") ? { path: "debug", namespace: NAMESPACE } : undefined,
    );
    build.onResolve({ filter: /^(tar-fs|@balena\/dockerignore)$/ }, (args) =>
      within(args.resolveDir, "dockerode") ? { path: args.path, namespace: NAMESPACE } : undefined,
    );
    build.onResolve({ filter: /^readable-stream$/ }, (args) =>
      within(args.resolveDir, "docker-modem") ? { path: args.path, namespace: NAMESPACE } : undefined,
    );
    build.onResolve({ filter: /^\.\/(ssh|http)$/ }, (args) =>
      within(args.resolveDir, "docker-modem")
        ? { path: args.path.slice(2), namespace: NAMESPACE }
        : undefined,
    );
    build.onLoad({ filter: /[\\/]docker-modem[\\/]lib[\\/]modem\.js$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      const trimmed = source.replace(SENDING_LOG, "");
      if (trimmed === source)
        throw new Error(`dockerode-trim: docker-modem's request log not found in ${args.path}`);
      return { contents: trimmed, loader: "js" };
    });
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
      const contents = STUBS[args.path];
      if (contents === undefined) throw new Error(`dockerode-trim: no stub for ${args.path}`);
      return { contents, loader: "js" };
    });
  },
};
