import { show } from "../../manifest/format.js";
import type { ComposePath } from "../composeDocument.js";
import type { Findings } from "./findings.js";
import { isMap, numberAt, scalarText, stringAt } from "./values.js";

/*
 * `ports`, short syntax (`[IP:][PUBLISHED[-END]:]TARGET[-END][/PROTOCOL]`) and long syntax, as
 * `docker stack deploy` turns them into Swarm ports: ranges of equal length are paired, one
 * target with a published range is published on each, an IP address is dropped (Swarm publishes
 * on every address). AlaCrity publishes through the routing mesh only, so host mode is reported.
 */

export interface ManifestPort {
  target: number;
  published?: number;
  protocol?: "udp";
}

type Range = [number, number];

function range(text: string): Range | undefined {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = match[2] === undefined ? start : Number(match[2]);
  return start >= 1 && end <= 65535 && start <= end ? [start, end] : undefined;
}

const port = (target: number, published: number | undefined, protocol: string): ManifestPort => ({
  target,
  ...(published === undefined ? {} : { published }),
  ...(protocol === "udp" ? { protocol: "udp" } : {}),
});

/** Pairs a target range with a published range as stack deploy does, or says why it cannot. */
function paired(targets: Range, published: Range | undefined, protocol: string): ManifestPort[] | string {
  const count = targets[1] - targets[0];
  if (published === undefined) {
    return Array.from({ length: count + 1 }, (_, i) => port(targets[0] + i, undefined, protocol));
  }
  const spread = published[1] - published[0];
  if (count === 0)
    return Array.from({ length: spread + 1 }, (_, i) => port(targets[0], published[0] + i, protocol));
  if (count !== spread) return `the ranges have different lengths (${count + 1} and ${spread + 1} ports)`;
  return Array.from({ length: count + 1 }, (_, i) => port(targets[0] + i, published[0] + i, protocol));
}

function protocolOf(text: string | undefined, path: ComposePath, findings: Findings): string | undefined {
  const protocol = (text ?? "tcp").toLowerCase();
  if (protocol === "tcp" || protocol === "udp") return protocol;
  findings.add(
    "unsupported",
    path,
    `the protocol ${show(text)} cannot be kept: AlaCrity publishes tcp and udp ports`,
  );
  return undefined;
}

function shortPort(text: string, path: ComposePath, findings: Findings): ManifestPort[] {
  const [spec = "", proto, ...extra] = text.split("/");
  const protocol = protocolOf(proto, path, findings);
  if (protocol === undefined) return [];
  const colon = spec.lastIndexOf(":");
  const targetText = colon < 0 ? spec : spec.slice(colon + 1);
  const before = colon < 0 ? undefined : spec.slice(0, colon);
  const hostColon = before === undefined ? -1 : before.lastIndexOf(":");
  const ip = hostColon < 0 ? undefined : before?.slice(0, hostColon);
  const publishedText = hostColon < 0 ? before : before?.slice(hostColon + 1);
  const targets = range(targetText);
  const published = publishedText === undefined || publishedText === "" ? undefined : range(publishedText);
  if (
    extra.length > 0 ||
    targets === undefined ||
    (publishedText !== undefined && publishedText !== "" && published === undefined)
  ) {
    findings.add(
      "unsupported",
      path,
      `${show(text)} is not a port ([IP:][PUBLISHED:]TARGET[/PROTOCOL]); it is left out`,
    );
    return [];
  }
  if (ip !== undefined && ip !== "" && ip !== "0.0.0.0") {
    findings.add(
      "warning",
      path,
      `the address ${show(ip)} is dropped: Swarm publishes on every address of every node (as with docker stack deploy)`,
    );
  }
  const ports = paired(targets, published, protocol);
  if (typeof ports === "string") {
    findings.add("unsupported", path, `${show(text)}: ${ports}; it is left out`);
    return [];
  }
  return ports;
}

function longPort(entry: Record<string, unknown>, path: ComposePath, findings: Findings): ManifestPort[] {
  findings.checkKeys("port", entry, path, ["mode"]);
  const mode = stringAt(entry.mode, [...path, "mode"], findings) ?? "ingress";
  if (mode !== "ingress") {
    findings.add(
      "unsupported",
      [...path, "mode"],
      `publish mode ${show(mode)} cannot be kept: AlaCrity publishes through the routing mesh (ingress); the port is published that way`,
    );
  }
  const protocol = protocolOf(
    stringAt(entry.protocol, [...path, "protocol"], findings),
    [...path, "protocol"],
    findings,
  );
  const target = numberAt(entry.target, [...path, "target"], findings);
  if (protocol === undefined || target === undefined) return [];
  const publishedText = scalarText(entry.published);
  const published = publishedText === undefined ? undefined : range(publishedText);
  if (publishedText !== undefined && published === undefined) {
    findings.add(
      "unsupported",
      [...path, "published"],
      `${show(entry.published)} is not a port or a range; the port is left out`,
    );
    return [];
  }
  const ports = paired([target, target], published, protocol);
  if (typeof ports === "string") return [];
  return ports;
}

export function servicePorts(value: unknown, path: ComposePath, findings: Findings): ManifestPort[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    findings.add("unsupported", path, "must be a list of ports; it is left out");
    return [];
  }
  return value.flatMap((entry: unknown, i) => {
    const at = [...path, i];
    if (isMap(entry)) return longPort(entry, at, findings);
    const text = scalarText(entry);
    if (text !== undefined) return shortPort(text, at, findings);
    findings.add("unsupported", at, `must be a port or a mapping (got ${show(entry)}); it is left out`);
    return [];
  });
}
