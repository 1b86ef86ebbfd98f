import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type * as LoaderModule from "../../../../src/manifest/loader/index.js";
import type * as ParserModule from "../../../../src/manifest/parseManifest.js";
import type * as ReaderModule from "../../../../src/manifest/readManifestFile.js";
import type { DesiredState } from "../../../../src/manifest/types.js";
import { formatError } from "../../../../src/manifest/types.js";
import { ManualClock } from "../../../support/manualClock.js";

/*
 * A Git source loads each commit from a checkout directory of its own: what the previous
 * commit's load parsed must serve the next one's files by their text, under their new names.
 */

const manifest = (name: string, extra = "") =>
  `apiVersion: alacrity.dev/v1\nkind: App\nmetadata:\n  name: ${name}\nspec:\n  image: busybox\n${extra}`;
const FILES = 30;

let root: string;
const savedEnv = { ...process.env };
/** The texts the parser was given in this test's module graph. */
let parsedTexts: string[];
/** The files read in this test's module graph. */
let readFiles: string[];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "alacrity-content-cache-"));
  // No disk cache: what is shown here is the process's own memory of other directories.
  process.env["ALACRITY_CACHE_DIR"] = "off";
  parsedTexts = [];
  readFiles = [];
  vi.resetModules();
  vi.doMock("../../../../src/manifest/readManifestFile.js", async (importOriginal) => {
    const real = await importOriginal<typeof ReaderModule>();
    return {
      ...real,
      readManifestFile: (...args: Parameters<typeof real.readManifestFile>) => {
        readFiles.push(args[0]);
        return real.readManifestFile(...args);
      },
    };
  });
  vi.doMock("../../../../src/manifest/parseManifest.js", async (importOriginal) => {
    const real = await importOriginal<typeof ParserModule>();
    return {
      ...real,
      parseManifest: (text: string, file: string) => {
        parsedTexts.push(text);
        return real.parseManifest(text, file);
      },
    };
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.doUnmock("../../../../src/manifest/parseManifest.js");
  vi.doUnmock("../../../../src/manifest/readManifestFile.js");
  process.env = { ...savedEnv };
  rmSync(root, { recursive: true, force: true });
});

/** A checkout: `apps/` with FILES apps, one of them invalid, as a commit's tree would hold. */
function checkout(name: string, changed?: string): string {
  const apps = join(root, name, "apps");
  mkdirSync(apps, { recursive: true });
  for (let i = 0; i < FILES; i++) {
    const app = `app${i}`;
    const extra = i === 3 ? "  replicas: many\n" : app === changed ? "  replicas: 2\n" : "";
    writeFileSync(join(apps, `${app}.yaml`), manifest(app, extra));
  }
  return apps;
}

async function loader(): Promise<typeof LoaderModule> {
  return import("../../../../src/manifest/loader/index.js");
}

/** What a load gives in a new process: every file parsed under its own name. */
async function uncached(dir: string): Promise<DesiredState> {
  vi.resetModules();
  const before = parsedTexts.length;
  const state = await (await loader()).loadDesiredState(dir);
  expect(parsedTexts.length - before).toBe(FILES);
  return state;
}

function describeState(state: DesiredState) {
  return {
    apps: [...state.apps.values()],
    errors: state.errors.map(formatError),
    failedFiles: [...state.failedFiles],
  };
}

describe("the content cache", () => {
  it("parses only the changed file of a new checkout, and names the files where they are now", async () => {
    const { loadDesiredState } = await loader();
    const first = checkout("aaaa");
    await loadDesiredState(first);
    // The control: a directory never seen is parsed whole.
    expect(parsedTexts).toHaveLength(FILES);

    parsedTexts = [];
    const second = checkout("bbbb", "app7");
    const state = await loadDesiredState(second);
    expect(parsedTexts).toEqual([manifest("app7", "  replicas: 2\n")]);
    expect(state.apps.get("app7")?.replicas).toBe(2);

    // Reused results name the new checkout's files, exactly as parsing them there would.
    expect(state.errors.map(formatError)).toEqual([
      `${second}/app3.yaml:7:13: spec.replicas: must be a whole number from 0 up (got "many")`,
    ]);
    expect(state.apps.get("app1")?.source.file).toBe(join(second, "app1.yaml"));
    expect(state.apps.get("app1")?.positions["spec.image"]?.file).toBe(join(second, "app1.yaml"));
    expect(describeState(state)).toStrictEqual(describeState(await uncached(second)));
  });

  it("still knows a checkout's files after reloads that took them from memory by their stat", async () => {
    const { loadDesiredState } = await loader();
    const first = checkout("aaaa");
    // Well after the files were written, so their stat identifies them (see RACY_MARGIN_MS).
    const clock = new ManualClock(Date.now() + 10_000);
    await loadDesiredState(first, { clock });
    expect(readFiles).toHaveLength(FILES);
    // A resync reloads the same checkout: nothing is read again, nothing is parsed.
    parsedTexts = [];
    readFiles = [];
    await loadDesiredState(first, { clock });
    await loadDesiredState(first, { clock });
    expect(readFiles).toEqual([]);
    expect(parsedTexts).toEqual([]);

    const state = await loadDesiredState(checkout("bbbb", "app9"), { clock });
    expect(parsedTexts).toEqual([manifest("app9", "  replicas: 2\n")]);
    expect(state.apps.size).toBe(FILES - 1);
  });

  it("serves a renamed file without parsing it", async () => {
    const { loadDesiredState } = await loader();
    const apps = checkout("aaaa");
    await loadDesiredState(apps);
    parsedTexts = [];
    cpSync(join(apps, "app5.yaml"), join(apps, "moved.yaml"));
    rmSync(join(apps, "app5.yaml"));
    const state = await loadDesiredState(apps);
    expect(parsedTexts).toEqual([]);
    expect(state.apps.get("app5")?.file).toBe("moved.yaml");
    expect(state.apps.get("app5")?.source.file).toBe(join(apps, "moved.yaml"));
  });
});
