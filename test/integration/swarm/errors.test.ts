import { describe, expect, it } from "vitest";
import { DockerError, dockerMessage, isRetryable, toDockerError } from "../../../src/swarm/errors.js";
import { docker } from "./helpers.js";

/** The shape dockerode gives an HTTP error: Docker's JSON body under `json`. */
function httpError(statusCode: number, message: string): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) server error - ${message} `), {
    statusCode,
    json: { message },
  });
}

function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code} /var/run/docker.sock`), { code });
}

describe("isRetryable", () => {
  it.each([
    ["connection refused", systemError("ECONNREFUSED")],
    ["socket missing while dockerd restarts", systemError("ENOENT")],
    ["connection reset", systemError("ECONNRESET")],
    ["timeout", systemError("ETIMEDOUT")],
    ["update out of sequence", httpError(500, "rpc error: code = Unknown desc = update out of sequence")],
    [
      "name conflict",
      httpError(409, "rpc error: code = AlreadyExists desc = name conflicts with an existing object"),
    ],
    ["manager unavailable", httpError(503, "This node is not a swarm manager.")],
    ["raft busy", httpError(500, "rpc error: code = Unknown desc = raft: no elected cluster leader")],
  ])("retries: %s", (_name, err) => {
    expect(isRetryable(err)).toBe(true);
    expect(toDockerError(err).retryable).toBe(true);
  });

  it.each([
    [
      "invalid spec",
      httpError(
        400,
        "rpc error: code = InvalidArgument desc = ContainerSpec: image reference must be provided",
      ),
    ],
    ["not found", httpError(404, "service t-x not found")],
    [
      "bad constraint, a 500 in Swarm 20.10",
      httpError(500, "rpc error: code = Unknown desc = constraint expected one operator from ==, !="),
    ],
    ["a bug of ours", new TypeError("cannot read properties of undefined")],
  ])("does not retry: %s", (_name, err) => {
    expect(isRetryable(err)).toBe(false);
    expect(toDockerError(err).retryable).toBe(false);
  });
});

describe("DockerError messages", () => {
  it("are Docker's own message, without dockerode's prefix or a stack trace", () => {
    const err = toDockerError(httpError(404, "service t-x not found"), "cannot update service t-x");
    expect(err).toBeInstanceOf(DockerError);
    expect(err.message).toBe("cannot update service t-x: service t-x not found");
    expect(err.statusCode).toBe(404);
    expect(dockerMessage(new Error("(HTTP code 502) bad gateway - upstream down "))).toBe("upstream down");
  });

  it("come from a real 404 of the engine", async () => {
    const raw: unknown = await docker
      .getService("t-swarm-err-no-such-service")
      .inspect()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    const err = toDockerError(raw);
    expect(err.statusCode).toBe(404);
    expect(err.message).toBe("service t-swarm-err-no-such-service not found");
    expect(err.retryable).toBe(false);
  });
});
