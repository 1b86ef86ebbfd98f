// An esbuild plugin that keeps out of the `alacrity` binary the parts of dockerode it never runs,
// or runs only for some users:
// - dockerode's BuildKit session and progress decoder (./session, ./buildkit): gRPC and protobuf,
//   ~0.2 s and ~20 MB at every start, for building images, which AlaCrity never does;
// - docker-modem's ssh2 (./ssh): ~30 ms and ~14 MB, needed only for ssh:// hosts, so it is
//   required on the first ssh:// request instead of at start-up (it stays an installed package,
//   not bundled: it carries optional native code);
// - docker-modem's `debug` log: with DEBUG=modem it would print every answer of Docker, service
//   specs with their environment values (secrets) included, and the TLS options with the key.
import { dirname, join, sep } from "node:path";

const NAMESPACE = "alacrity-trimmed";
const NO_BUILDS = "AlaCrity does not build images: dockerode's BuildKit support is left out of this binary";

const STUBS = {
  session: `module.exports = function withSession(_docker, _auth, handler) { handler(new Error(${JSON.stringify(NO_BUILDS)})); };`,
  buildkit: `exports.followProgress = function () { throw new Error(${JSON.stringify(NO_BUILDS)}); };`,
  debug: "module.exports = function () { return function debug() {}; };",
};

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
    build.onResolve({ filter: /^\.\/ssh$/ }, (args) =>
      within(args.resolveDir, "docker-modem")
        ? { path: "ssh", namespace: NAMESPACE, pluginData: join(args.resolveDir, "ssh.js") }
        : undefined,
    );
    build.onResolve({ filter: /^ssh2$/ }, () => ({ path: "ssh2", external: true }));
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
      if (args.path === "ssh") {
        const real = args.pluginData;
        return {
          contents: `var ssh;\nmodule.exports = function (opt) {\n  ssh = ssh || require(${JSON.stringify(real)});\n  return ssh(opt);\n};`,
          resolveDir: dirname(real),
          loader: "js",
        };
      }
      const contents = STUBS[args.path];
      if (contents === undefined) throw new Error(`dockerode-trim: no stub for ${args.path}`);
      return { contents, loader: "js" };
    });
  },
};
