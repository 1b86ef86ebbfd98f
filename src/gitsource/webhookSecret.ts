import { readFile } from "node:fs/promises";

/**
 * The webhook's shared secret: the file's content (one trailing newline dropped, as `echo` writes
 * it) wins over `ALACRITY_WEBHOOK_SECRET`. Undefined means the webhook is off.
 */
export async function readWebhookSecret(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  let secret: string | undefined;
  if (file !== undefined) {
    secret = (await readFile(file, "utf8")).replace(/\r?\n$/, "");
    if (secret.length === 0) throw new Error(`the webhook secret file ${file} is empty`);
  } else {
    secret = env.ALACRITY_WEBHOOK_SECRET;
    if (secret === "") secret = undefined;
  }
  if (secret !== undefined && secret.length < 16) {
    throw new Error("the webhook secret must be at least 16 characters long");
  }
  return secret;
}
