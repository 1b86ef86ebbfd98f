import type Docker from "dockerode";
import { DockerError, statusCodeOf, toDockerError } from "./errors.js";
import { holdConfigName, LABEL } from "../domain/names.js";
import type { SwarmAction } from "./types.js";

type HoldAction = Extract<SwarmAction, { kind: "hold" }>;

/** A task error can be long (a whole probe output): the label keeps its start, the data all of it. */
const MAX_REASON_LABEL = 1000;

/**
 * Writes the hold record: a config named `holdConfigName(app)`, like the pin, so every controller
 * and every restart knows which spec not to apply again. An older record of the app is removed
 * first (a record of another spec, now rolled back too).
 */
export async function hold(docker: Docker, action: HoldAction): Promise<void> {
  if (action.replaces) await releaseHold(docker, action.app, action.replaces);
  const reason =
    action.swarmReason.length > MAX_REASON_LABEL
      ? `${action.swarmReason.slice(0, MAX_REASON_LABEL)}…`
      : action.swarmReason;
  const record = {
    app: action.app,
    hash: action.hash,
    reason: action.swarmReason,
    heldAt: new Date().toISOString(),
  };
  try {
    await docker.createConfig({
      Name: holdConfigName(action.app),
      Labels: {
        [LABEL.holdRecord]: "true",
        [LABEL.managed]: "true",
        [LABEL.instance]: action.instance,
        [LABEL.app]: action.app,
        [LABEL.heldHash]: action.hash,
        [LABEL.heldReason]: reason,
      },
      Data: Buffer.from(JSON.stringify(record)).toString("base64"),
    });
  } catch (err) {
    if (statusCodeOf(err) === 409) {
      // Another pass (or controller) wrote it in between: re-observing shows which spec it holds.
      throw new DockerError(
        `${action.app} already has a hold record (config ${holdConfigName(action.app)})`,
        {
          statusCode: 409,
          retryable: true,
          cause: err,
        },
      );
    }
    throw toDockerError(err, `cannot record the hold of ${action.app}`);
  }
}

export async function releaseHold(docker: Docker, app: string, configId: string): Promise<void> {
  try {
    await docker.getConfig(configId).remove();
  } catch (err) {
    // Already gone is what we wanted.
    if (statusCodeOf(err) !== 404) throw toDockerError(err, `cannot release the hold on ${app}`);
  }
}
