import { show } from "../../manifest/format.js";
import type { ComposePath } from "../composeDocument.js";
import type { Context } from "./options.js";
import { isMap, keyValuesAt, mapAt, scalarText, stringListAt } from "./values.js";
import type { Tree } from "./values.js";

/*
 * Networks. Without `--stack` each compose network a service uses becomes a Network document
 * (the compose `default` network is AlaCrity's own default network: no document); an external one
 * is used by its Swarm name. With `--stack` the stack's networks are kept as they are: each is an
 * external network of the name stack deploy gave it (`<stack>_<net>` or its `name:`), and each
 * service keeps the alias stack deploy gave it, its compose service name, so a later adoption
 * changes no network attachment.
 */

export const COMPOSE_DEFAULT = "default";
const DNS_NAME =
  /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** The compose networks a service is attached to, with the aliases it lists. */
export function serviceNetworkEntries(
  service: Tree,
  path: ComposePath,
  ctx: Context,
): { network: string; aliases: string[]; path: ComposePath }[] {
  const value = service.networks;
  const at = [...path, "networks"];
  if (value === undefined || value === null) return [{ network: COMPOSE_DEFAULT, aliases: [], path }];
  if (Array.isArray(value)) {
    return (stringListAt(value, at, ctx.findings) ?? []).map((network, i) => ({
      network,
      aliases: [],
      path: [...at, i],
    }));
  }
  const map = mapAt(value, at, ctx.findings);
  return Object.entries(map).map(([network, options]) => {
    const entryPath = [...at, network];
    const entry = mapAt(options, entryPath, ctx.findings);
    ctx.findings.checkKeys("serviceNetwork", entry, entryPath);
    return {
      network,
      aliases: stringListAt(entry.aliases, [...entryPath, "aliases"], ctx.findings) ?? [],
      path: entryPath,
    };
  });
}

/** The networks the services use, in name order. */
export function usedNetworks(ctx: Context): string[] {
  const services = isMap(ctx.root.services) ? ctx.root.services : {};
  const used = Object.entries(services).flatMap(([name, s]) =>
    isMap(s) ? serviceNetworkEntries(s, ["services", name], ctx).map((e) => e.network) : [],
  );
  return [...new Set(used)].sort();
}

function declaredNetwork(ctx: Context, name: string): Tree | undefined {
  const networks = isMap(ctx.root.networks) ? ctx.root.networks : {};
  if (!Object.hasOwn(networks, name)) return undefined;
  return isMap(networks[name]) ? networks[name] : {};
}

/** The Swarm name of a compose network: stack deploy's `<stack>_<net>`, its `name:`, or an external one's own. */
function swarmName(declared: Tree, key: string, ctx: Context): { name: string; external: boolean } {
  const externalName = isMap(declared.external) ? scalarText(declared.external.name) : undefined;
  const name = scalarText(declared.name) ?? externalName;
  if (declared.external === true || isMap(declared.external)) return { name: name ?? key, external: true };
  return {
    name: name ?? (ctx.options.stack === undefined ? key : `${ctx.options.stack}_${key}`),
    external: false,
  };
}

/** The Network documents of the compose networks the services use. */
export function networkDocuments(ctx: Context): Tree[] {
  const declaredAll = isMap(ctx.root.networks) ? ctx.root.networks : {};
  const used = usedNetworks(ctx);
  for (const key of Object.keys(declaredAll).filter((k) => !used.includes(k))) {
    ctx.findings.add(
      "note",
      ["networks", key],
      "no service uses this network (stack deploy does not create it either): left out",
    );
  }
  return used.flatMap((key): Tree[] => {
    const path = ["networks", key];
    const declared = declaredNetwork(ctx, key);
    const docName = ctx.names.networks.get(key);
    if (declared === undefined && key !== COMPOSE_DEFAULT) {
      ctx.findings.add(
        "unsupported",
        ["services"],
        `the network ${show(key)} is used but not declared under the top-level networks (stack deploy refuses it too)`,
      );
      return [];
    }
    const options = declared ?? {};
    const { name, external } = swarmName(options, key, ctx);
    if (docName === undefined) return [];
    const labels = Object.fromEntries(
      keyValuesAt(options.labels, [...path, "labels"], ctx.findings).map((l) => [l.key, l.value ?? ""]),
    );
    const metadata = { name: docName, ...(Object.keys(labels).length > 0 ? { labels } : {}) };
    if (external || ctx.options.stack !== undefined) {
      ctx.findings.checkKeys("network", options, path, [
        "driver",
        "driver_opts",
        "internal",
        "attachable",
        "labels",
        "ipam",
        "enable_ipv6",
      ]);
      return [
        {
          apiVersion: "alacrity.dev/v1",
          kind: "Network",
          metadata: { name: docName },
          spec: { external: name === docName ? true : name },
        },
      ];
    }
    return [
      {
        apiVersion: "alacrity.dev/v1",
        kind: "Network",
        metadata,
        spec: createdNetworkSpec(options, path, key, ctx),
      },
    ];
  });
}

/** A network AlaCrity creates (no `--stack`): its options, and what of the compose network it cannot keep. */
function createdNetworkSpec(options: Tree, path: ComposePath, key: string, ctx: Context): Tree {
  const { findings } = ctx;
  findings.checkKeys("network", options, path, ["driver", "driver_opts", "name"]);
  const spec: Tree = {};
  for (const flag of ["internal", "attachable"] as const) if (options[flag] === true) spec[flag] = true;
  const driver = scalarText(options.driver);
  if (driver !== undefined && driver !== "overlay") {
    findings.add(
      "unsupported",
      [...path, "driver"],
      `the driver ${show(driver)} cannot be kept: AlaCrity creates overlay networks`,
    );
  }
  const driverOpts = mapAt(options.driver_opts, [...path, "driver_opts"], findings);
  for (const option of Object.keys(driverOpts)) {
    if (option === "encrypted") spec.encrypted = true;
    else
      findings.add(
        "unsupported",
        [...path, "driver_opts", option],
        "cannot be kept: AlaCrity sets only the encrypted option",
      );
  }
  if (options.name !== undefined) {
    findings.add(
      "warning",
      [...path, "name"],
      `the network is created as alacran--${ctx.names.networks.get(key) ?? key}, not ${show(options.name)}: give --stack NAME to keep using the stack's network`,
    );
  }
  return spec;
}

/** A service's `spec.networks`, or undefined when it is on the default network only. */
export function serviceNetworks(
  service: Tree,
  path: ComposePath,
  serviceName: string,
  ctx: Context,
): unknown[] | undefined {
  const entries = serviceNetworkEntries(service, path, ctx);
  const stack = ctx.options.stack !== undefined;
  const out = entries.flatMap(({ network, aliases, path: at }) => {
    const name = network === COMPOSE_DEFAULT && !stack ? "default" : ctx.names.networks.get(network);
    if (name === undefined) return [];
    const all = stack ? [...aliases, serviceName] : aliases;
    const valid = all.filter((alias) => {
      if (DNS_NAME.test(alias)) return true;
      const severity = alias === serviceName && !aliases.includes(alias) ? "warning" : "unsupported";
      ctx.findings.add(
        severity,
        at,
        `the alias ${show(alias)} is not a DNS name (letters, digits, '-' and '.'): it cannot be kept`,
      );
      return false;
    });
    const unique = [...new Set(valid)];
    return [unique.length > 0 ? { name, aliases: unique } : name];
  });
  return out.length === 1 && out[0] === "default" ? undefined : out;
}
