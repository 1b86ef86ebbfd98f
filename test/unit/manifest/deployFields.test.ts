import { describe, expect, it } from "vitest";
import { parseManifest } from "../../../src/manifest/parseManifest.js";
import type { AppSpec } from "../../../src/manifest/types.js";
import { formatError } from "../../../src/manifest/types.js";

/*
 * The fields of issue 17 (healthcheck, update, rollback, restart, stopGracePeriod, mode,
 * placement): what each reads into, where each is, every error with its position, and the rules
 * across them (persistent-stop-first, persistent-not-global, persistent-placement,
 * global-replicas). The manifest's spec starts on line 7.
 */

function app(...specLines: string[]): string {
  return [
    "apiVersion: alacrity.dev/v1",
    "kind: App",
    "metadata:",
    "  name: web",
    "spec:",
    "  image: busybox:1",
    ...specLines,
    "",
  ].join("\n");
}

function parsedApp(...specLines: string[]): AppSpec {
  const parsed = parseManifest(app(...specLines), "a.yaml");
  expect(parsed.errors.map(formatError)).toEqual([]);
  expect(parsed.apps).toHaveLength(1);
  return parsed.apps[0]!;
}

const errorsOf = (...specLines: string[]): string[] =>
  parseManifest(app(...specLines), "a.yaml").errors.map(formatError);

const NEW_KEYS = [
  "healthcheck",
  "update",
  "rollback",
  "restart",
  "stopGracePeriodNs",
  "mode",
  "placement",
] as const;

const S = 1_000_000_000;

describe("an app that sets none of the new fields", () => {
  it("parses exactly as before: none of the new keys, no new positions", () => {
    const web = parsedApp("  replicas: 2");
    expect(Object.keys(web).sort()).toEqual(
      [
        "annotations",
        "env",
        "file",
        "image",
        "labels",
        "name",
        "persistent",
        "ports",
        "positions",
        "replicas",
        "source",
        "volumes",
      ].sort(),
    );
    expect(Object.keys(web.positions).sort()).toEqual(
      [
        "metadata.name",
        "spec.image",
        "spec.node",
        "spec.persistent",
        "spec.ports",
        "spec.replicas",
        "spec.volumes",
      ].sort(),
    );
  });

  it("still gets one replica when replicas is left out (and the given count when it is not)", () => {
    expect(parsedApp().replicas).toBe(1);
    expect(parsedApp("  mode: replicated", "  replicas: 3")).toMatchObject({
      replicas: 3,
      mode: "replicated",
    });
  });
});

describe("the new fields, read into the AppSpec (durations in nanoseconds)", () => {
  it.each<[string, string[], Partial<AppSpec>]>([
    [
      "healthcheck: none switches the image's check off",
      ["  healthcheck: none"],
      { healthcheck: { test: ["NONE"] } },
    ],
    [
      "a list test is kept as written, durations read",
      [
        "  healthcheck:",
        "    test: [CMD, wget, -q, -O-, http://localhost/]",
        "    interval: 1m30s",
        "    timeout: 500ms",
        "    retries: 5",
        "    startPeriod: 1.5s",
      ],
      {
        healthcheck: {
          test: ["CMD", "wget", "-q", "-O-", "http://localhost/"],
          intervalNs: 90 * S,
          timeoutNs: 0.5 * S,
          retries: 5,
          startPeriodNs: 1.5 * S,
        },
      },
    ],
    [
      "a string test is run by the shell",
      ["  healthcheck: {test: pg_isready -U postgres}"],
      { healthcheck: { test: ["CMD-SHELL", "pg_isready -U postgres"] } },
    ],
    [
      "CMD-SHELL with its command",
      ["  healthcheck: {test: [CMD-SHELL, 'curl -f http://localhost || exit 1']}"],
      { healthcheck: { test: ["CMD-SHELL", "curl -f http://localhost || exit 1"] } },
    ],
    [
      "every update field",
      [
        "  update:",
        "    parallelism: 0",
        "    delay: 10s",
        "    failureAction: pause",
        "    monitor: 1m",
        "    maxFailureRatio: 0.25",
        "    order: start-first",
      ],
      {
        update: {
          parallelism: 0,
          delayNs: 10 * S,
          failureAction: "pause",
          monitorNs: 60 * S,
          maxFailureRatio: 0.25,
          order: "start-first",
        },
      },
    ],
    [
      "an update with only some fields",
      ["  update: {failureAction: rollback}"],
      { update: { failureAction: "rollback" } },
    ],
    [
      "every rollback field",
      [
        "  rollback: {parallelism: 2, delay: 0s, failureAction: continue, monitor: 5s, maxFailureRatio: 1, order: stop-first}",
      ],
      {
        rollback: {
          parallelism: 2,
          delayNs: 0,
          failureAction: "continue",
          monitorNs: 5 * S,
          maxFailureRatio: 1,
          order: "stop-first",
        },
      },
    ],
    [
      "every restart field",
      ["  restart: {condition: on-failure, delay: 5s, maxAttempts: 3, window: 2m}"],
      { restart: { condition: "on-failure", delayNs: 5 * S, maxAttempts: 3, windowNs: 120 * S } },
    ],
    ["restart: none", ["  restart: {condition: none}"], { restart: { condition: "none" } }],
    ["stopGracePeriod", ["  stopGracePeriod: 1m30s"], { stopGracePeriodNs: 90 * S }],
    ["mode: global", ["  mode: global"], { mode: "global" }],
    [
      "every placement field",
      [
        "  placement:",
        "    constraints: [node.role==worker, node.labels.zone!=eu, engine.labels.disk==ssd, node.platform.os==linux]",
        "    preferences: [{spread: node.labels.zone}, {spread: engine.labels.rack}]",
        "    maxReplicasPerNode: 2",
      ],
      {
        placement: {
          constraints: [
            "node.role==worker",
            "node.labels.zone!=eu",
            "engine.labels.disk==ssd",
            "node.platform.os==linux",
          ],
          preferences: ["node.labels.zone", "engine.labels.rack"],
          maxReplicasPerNode: 2,
        },
      },
    ],
    [
      "a placement with constraints only: no preferences, no limit",
      ["  placement: {constraints: ['node.hostname == worker-1']}"],
      { placement: { constraints: ["node.hostname == worker-1"], preferences: [] } },
    ],
  ])("%s", (_, lines, expected) => {
    const parsed = parsedApp(...lines);
    const set = Object.fromEntries(
      NEW_KEYS.filter((k) => parsed[k] !== undefined).map((k) => [k, parsed[k]]),
    );
    expect(set).toEqual(expected);
  });
});

describe("positions of the new fields", () => {
  it("records each field's value, so later stages point at it", () => {
    const web = parsedApp(
      "  healthcheck:",
      "    test: [CMD, 'true']",
      "    interval: 5s",
      "  update: {order: start-first, delay: 1s}",
      "  rollback: {failureAction: pause}",
      "  restart: {condition: any}",
      "  stopGracePeriod: 30s",
      "  mode: replicated",
      "  placement:",
      "    constraints: [node.role==worker]",
      "    preferences: [{spread: node.labels.zone}]",
      "    maxReplicasPerNode: 1",
    );
    const at = (line: number, col: number) => ({ file: "a.yaml", line, col });
    expect(web.positions).toMatchObject({
      "spec.healthcheck": at(8, 5),
      "spec.healthcheck.test": at(8, 11),
      "spec.healthcheck.interval": at(9, 15),
      "spec.update": at(10, 11),
      "spec.update.order": at(10, 19),
      "spec.update.delay": at(10, 39),
      "spec.rollback.failureAction": at(11, 29),
      "spec.restart.condition": at(12, 24),
      "spec.stopGracePeriod": at(13, 20),
      "spec.mode": at(14, 9),
      "spec.placement": at(16, 5),
      "spec.placement.constraints": at(16, 18),
      "spec.placement.constraints[0]": at(16, 19),
      "spec.placement.preferences[0]": at(17, 19),
      "spec.placement.preferences[0].spread": at(17, 28),
      "spec.placement.maxReplicasPerNode": at(18, 25),
    });
  });

  it("records healthcheck: none at its value", () => {
    expect(parsedApp("  healthcheck: none").positions["spec.healthcheck"]).toEqual({
      file: "a.yaml",
      line: 7,
      col: 16,
    });
  });
});

describe("errors in the new fields: what is wrong, where, and how to fix it", () => {
  it.each<[string[], string[]]>([
    [
      ["  healthcheck: nope"],
      [
        'a.yaml:7:16: spec.healthcheck: must be "none" or a map with test, interval, timeout, retries and startPeriod (got "nope")',
      ],
    ],
    [
      ["  healthcheck: [CMD, true]"],
      [
        'a.yaml:7:16: spec.healthcheck: must be "none" or a map with test, interval, timeout, retries and startPeriod (got a list)',
      ],
    ],
    [
      ["  healthcheck:", "    interval: 5s"],
      ['a.yaml:8:5: spec.healthcheck.test: required field is missing; add "test:" to spec.healthcheck'],
    ],
    [
      ["  healthcheck:", "    test: 5"],
      [
        'a.yaml:8:11: spec.healthcheck.test: must be a list or a string (got 5); write ["CMD", "program", "arg"...], ["CMD-SHELL", "command"] or a shell command as a string',
      ],
    ],
    [
      ["  healthcheck:", '    test: "  "'],
      [
        'a.yaml:8:11: spec.healthcheck.test: must not be empty (got "  "); give a shell command, e.g. "pg_isready -U postgres"',
      ],
    ],
    [
      ["  healthcheck:", "    test: []"],
      [
        'a.yaml:8:11: spec.healthcheck.test: must not be empty; write ["CMD", "program", "arg"...] or a shell command as a string',
      ],
    ],
    [
      ["  healthcheck:", "    test: [NONE]"],
      [
        'a.yaml:8:12: spec.healthcheck.test[0]: to switch off the image\'s health check write "healthcheck: none" instead of a test',
      ],
    ],
    [
      ["  healthcheck:", "    test: [pg_isready]"],
      [
        'a.yaml:8:12: spec.healthcheck.test[0]: a list test starts with "CMD" (run directly) or "CMD-SHELL" (run by the shell) (got "pg_isready"); write ["CMD", "pg_isready", ...] or give the command as one string',
      ],
    ],
    [
      ["  healthcheck:", "    test: [CMD]"],
      ['a.yaml:8:11: spec.healthcheck.test: needs a command after "CMD", e.g. ["CMD", "pg_isready"]'],
    ],
    [
      ["  healthcheck:", "    test: [CMD-SHELL, a, b]"],
      [
        'a.yaml:8:26: spec.healthcheck.test[2]: "CMD-SHELL" takes the whole command as one string (got 2); join them: "a b"',
      ],
    ],
    [
      ["  healthcheck:", "    test: [CMD, 5]"],
      ['a.yaml:8:17: spec.healthcheck.test[1]: must be a string (got 5); quote it: "5"'],
    ],
    [
      ["  healthcheck:", "    test: x", "    interval: 30"],
      [
        'a.yaml:9:15: spec.healthcheck.interval: must be a duration like "30s", "1m30s", "500ms" or "1h" (units ns, us, ms, s, m, h) (got 30); add a unit: "30s"',
      ],
    ],
    [
      ["  healthcheck:", "    test: x", "    timeout: 0s"],
      ['a.yaml:9:14: spec.healthcheck.timeout: must be at least 1ms, Docker refuses less (got "0s")'],
    ],
    [
      ["  healthcheck:", "    test: x", "    startPeriod: 1d"],
      [
        'a.yaml:9:18: spec.healthcheck.startPeriod: must be a duration like "30s", "1m30s", "500ms" or "1h" (units ns, us, ms, s, m, h) (got "1d")',
      ],
    ],
    [
      ["  healthcheck:", "    test: x", "    retries: 0"],
      [
        "a.yaml:9:14: spec.healthcheck.retries: must be a whole number from 1 up (0 would be Docker's default, 3) (got 0)",
      ],
    ],
    [
      ["  healthcheck:", "    test: x", '    retries: "3"'],
      [
        'a.yaml:9:14: spec.healthcheck.retries: must be a whole number from 1 up (0 would be Docker\'s default, 3) (got "3"); remove the quotes: 3',
      ],
    ],
    [
      ["  healthcheck:", "    test: x", "    intervall: 5s"],
      ['a.yaml:9:5: spec.healthcheck.intervall: unknown field; did you mean "interval"?'],
    ],
    [
      ["  update:", "    parallelism: -1"],
      ["a.yaml:8:18: spec.update.parallelism: must be a whole number from 0 up (got -1)"],
    ],
    [
      ["  update:", "    parallelism: 1.5"],
      ["a.yaml:8:18: spec.update.parallelism: must be a whole number from 0 up (got 1.5)"],
    ],
    [
      ["  update:", "    delay: -5s"],
      [
        'a.yaml:8:12: spec.update.delay: must be a duration like "30s", "1m30s", "500ms" or "1h" (units ns, us, ms, s, m, h) (got "-5s"); remove the sign',
      ],
    ],
    [
      ["  update:", "    failureAction: undo"],
      ['a.yaml:8:20: spec.update.failureAction: must be "rollback", "pause" or "continue" (got "undo")'],
    ],
    [
      ["  update:", "    monitor: 5"],
      [
        'a.yaml:8:14: spec.update.monitor: must be a duration like "30s", "1m30s", "500ms" or "1h" (units ns, us, ms, s, m, h) (got 5); add a unit: "5s"',
      ],
    ],
    [
      ["  update:", "    maxFailureRatio: 1.5"],
      ["a.yaml:8:22: spec.update.maxFailureRatio: must be a number from 0 to 1 (got 1.5); e.g. 0.2 for 20 %"],
    ],
    [
      ["  update:", '    maxFailureRatio: "0.5"'],
      [
        'a.yaml:8:22: spec.update.maxFailureRatio: must be a number from 0 to 1 (got "0.5"); remove the quotes: 0.5',
      ],
    ],
    [
      ["  update:", "    order: first"],
      ['a.yaml:8:12: spec.update.order: must be "stop-first" or "start-first" (got "first")'],
    ],
    [
      ["  update:", "    paralelism: 1"],
      ['a.yaml:8:5: spec.update.paralelism: unknown field; did you mean "parallelism"?'],
    ],
    [["  update: fast"], ['a.yaml:7:11: spec.update: must be a map (got "fast")']],
    [
      ["  rollback:", "    failureAction: rollback"],
      [
        'a.yaml:8:20: spec.rollback.failureAction: a rollback cannot itself be rolled back (got "rollback"); use "pause" or "continue"',
      ],
    ],
    [
      ["  rollback:", "    failureAction: stop"],
      ['a.yaml:8:20: spec.rollback.failureAction: must be "pause" or "continue" (got "stop")'],
    ],
    [
      ["  restart:", "    condition: always"],
      ['a.yaml:8:16: spec.restart.condition: must be "any", "on-failure" or "none" (got "always")'],
    ],
    [
      ["  restart:", "    delay: 5"],
      [
        'a.yaml:8:12: spec.restart.delay: must be a duration like "30s", "1m30s", "500ms" or "1h" (units ns, us, ms, s, m, h) (got 5); add a unit: "5s"',
      ],
    ],
    [
      ["  restart:", "    maxAttempts: -1"],
      ["a.yaml:8:18: spec.restart.maxAttempts: must be a whole number from 0 up (got -1)"],
    ],
    [
      ["  restart:", "    window: forever"],
      [
        'a.yaml:8:13: spec.restart.window: must be a duration like "30s", "1m30s", "500ms" or "1h" (units ns, us, ms, s, m, h) (got "forever")',
      ],
    ],
    [
      ["  restart:", "    conditon: any"],
      ['a.yaml:8:5: spec.restart.conditon: unknown field; did you mean "condition"?'],
    ],
    [
      ["  stopGracePeriod: 10"],
      [
        'a.yaml:7:20: spec.stopGracePeriod: must be a duration like "30s", "1m30s", "500ms" or "1h" (units ns, us, ms, s, m, h) (got 10); add a unit: "10s"',
      ],
    ],
    [
      ["  stopGracePeriod: 1d"],
      [
        'a.yaml:7:20: spec.stopGracePeriod: must be a duration like "30s", "1m30s", "500ms" or "1h" (units ns, us, ms, s, m, h) (got "1d")',
      ],
    ],
    [["  mode: everywhere"], ['a.yaml:7:9: spec.mode: must be "replicated" or "global" (got "everywhere")']],
    [["  placement: [node.role==worker]"], ["a.yaml:7:14: spec.placement: must be a map (got a list)"]],
    [
      ["  placement:", "    constraints: node.role==worker"],
      [
        'a.yaml:8:18: spec.placement.constraints: must be a list of constraints (got "node.role==worker"); e.g. ["node.labels.zone==eu"]',
      ],
    ],
    [
      ["  placement:", "    constraints: [node.role=worker]"],
      [
        'a.yaml:8:19: spec.placement.constraints[0]: a constraint is "key==value" or "key!=value" (got "node.role=worker"); write "node.role==worker"',
      ],
    ],
    [
      ["  placement:", "    constraints: [node.role]"],
      [
        'a.yaml:8:19: spec.placement.constraints[0]: a constraint is "key==value" or "key!=value" (got "node.role")',
      ],
    ],
    [
      ["  placement:", '    constraints: ["zone==eu"]'],
      [
        'a.yaml:8:19: spec.placement.constraints[0]: unknown constraint key "zone" (got "zone==eu"); Swarm matches node.id, node.hostname, node.ip, node.role, node.platform.os, node.platform.arch, node.labels.<label>, engine.labels.<label>',
      ],
    ],
    [
      ["  placement:", '    constraints: ["node.role==boss"]'],
      ['a.yaml:8:19: spec.placement.constraints[0]: node.role is "manager" or "worker" (got "boss")'],
    ],
    [
      ["  placement:", '    constraints: ["node.labels.zone=="]'],
      [
        'a.yaml:8:19: spec.placement.constraints[0]: the constraint\'s value "" is empty or has characters Swarm refuses (got "node.labels.zone=="); use letters, digits and -_.:/',
      ],
    ],
    [
      ["  placement:", '    constraints: ["node.labels.zone==e;u"]'],
      [
        'a.yaml:8:19: spec.placement.constraints[0]: the constraint\'s value "e;u" is empty or has characters Swarm refuses (got "node.labels.zone==e;u"); use letters, digits and -_.:/',
      ],
    ],
    [
      ["  placement:", "    constraints: [5]"],
      ['a.yaml:8:19: spec.placement.constraints[0]: must be a string (got 5); quote it: "5"'],
    ],
    [
      ["  placement:", "    preferences: [node.labels.zone]"],
      [
        'a.yaml:8:19: spec.placement.preferences[0]: must be a map {spread: <label>} (got "node.labels.zone"); e.g. {spread: "node.labels.zone"}',
      ],
    ],
    [
      ["  placement:", "    preferences: [{spread: zone}]"],
      [
        'a.yaml:8:28: spec.placement.preferences[0].spread: Swarm spreads over node.labels.<label> or engine.labels.<label> (got "zone"); e.g. "node.labels.zone"',
      ],
    ],
    [
      ["  placement:", "    preferences: [{spread: node.labels.zone, weight: 2}]"],
      ["a.yaml:8:46: spec.placement.preferences[0].weight: unknown field; known fields here: spread"],
    ],
    [
      ["  placement:", "    maxReplicasPerNode: 0"],
      [
        "a.yaml:8:25: spec.placement.maxReplicasPerNode: must be a whole number from 1 up (leave it out for no limit) (got 0)",
      ],
    ],
    [
      ["  placement:", "    constrains: []"],
      ['a.yaml:8:5: spec.placement.constrains: unknown field; did you mean "constraints"?'],
    ],
  ])("%j", (lines, expected) => {
    expect(errorsOf(...lines)).toEqual(expected);
  });
});

describe("rules across the new fields", () => {
  it.each<[string, string[], string[], string[]]>([
    [
      "persistent-stop-first: update.order",
      ["  persistent: true", "  update: {order: start-first}"],
      ["  persistent: true", "  update: {order: stop-first}"],
      [
        'a.yaml:8:19: spec.update.order: a persistent app is always updated stop-first (got "start-first"): with start-first the new task starts before the old one stops, and two containers would share its data directory; remove order or write stop-first',
      ],
    ],
    [
      "persistent-stop-first: rollback.order",
      ["  persistent: true", "  rollback:", "    order: start-first"],
      ["  persistent: false", "  rollback:", "    order: start-first"],
      [
        'a.yaml:9:12: spec.rollback.order: a persistent app is always rolled back stop-first (got "start-first"): with start-first the new task starts before the old one stops, and two containers would share its data directory; remove order or write stop-first',
      ],
    ],
    [
      "persistent-not-global",
      ["  persistent: true", "  mode: global"],
      ["  persistent: true", "  mode: replicated"],
      [
        'a.yaml:8:9: spec.mode: a persistent app cannot be global (got "global"): its data lives on the one node it is pinned to, and a global app runs a task on every node; remove spec.mode, or make the app non-persistent if it keeps no data',
      ],
    ],
    [
      "persistent-placement",
      ["  persistent: true", "  placement:", "    constraints: [node.role==worker]"],
      ["  persistent: false", "  placement:", "    constraints: [node.role==worker]"],
      [
        "a.yaml:9:5: spec.placement: a persistent app cannot set placement: the pin is its placement (it runs on the node that holds its data); remove spec.placement, and give spec.node to choose that node",
      ],
    ],
    [
      "global-replicas: replicas",
      ["  mode: global", "  replicas: 3"],
      ["  mode: replicated", "  replicas: 3"],
      [
        "a.yaml:8:13: spec.replicas: a global app runs one task on every eligible node, so it takes no replicas (got 3); remove spec.replicas, or remove mode: global to run a fixed number of tasks",
      ],
    ],
    [
      "global-replicas: placement.maxReplicasPerNode",
      ["  mode: global", "  placement: {maxReplicasPerNode: 2}"],
      ["  placement: {maxReplicasPerNode: 2}"],
      [
        "a.yaml:8:35: spec.placement.maxReplicasPerNode: a global app runs one task per node already, so maxReplicasPerNode does not apply (got 2); remove it",
      ],
    ],
  ])("%s: refused at the field, its twin accepted", (_, broken, valid, expected) => {
    expect(errorsOf(...broken)).toEqual(expected);
    parsedApp(...valid);
  });

  it("reports every rule a document breaks, each at its own field", () => {
    const errors = errorsOf(
      "  persistent: true",
      "  replicas: 1",
      "  mode: global",
      "  placement: {}",
      "  update: {order: start-first}",
      "  rollback: {order: start-first}",
    );
    expect(errors.map((e) => e.split(": ").slice(0, 2).join(": "))).toEqual([
      "a.yaml:8:13: spec.replicas",
      "a.yaml:9:9: spec.mode",
      "a.yaml:10:14: spec.placement",
      "a.yaml:11:19: spec.update.order",
      "a.yaml:12:21: spec.rollback.order",
    ]);
  });
});
