import type { Clock } from "../../domain/clock.js";
import type { FoundFile } from "../loadDirectory.js";
import type { ParsedManifest } from "../parseManifest.js";
import { emptyParse } from "../emptyParse.js";
import { readManifestFile } from "../readManifestFile.js";
import type { ContentCache } from "./contentCache.js";
import type { DiskParseCache } from "./diskParseCache.js";
import { readIsSettled, statKey, type ParseCache } from "./parseCache.js";
import { parser } from "./parser.js";

export interface Caches {
  /** Results of this directory by path and stat, for the daemon's reloads. */
  memory: ParseCache;
  /** Results of any directory by text, for a Git commit's new checkout. */
  content: ContentCache;
  /** Results by name and text, kept between processes; undefined when off. */
  disk: DiskParseCache | undefined;
  /** Times the reads for the racily clean rule (`RACY_MARGIN_MS`): epoch milliseconds. */
  clock: Clock;
}

/**
 * One file's apps: from memory when the file's stat is unchanged since it was last parsed, else
 * from the disk cache when an earlier process read it with this stat; else the file is read, and
 * its text found in memory (under any name), or in the disk cache, or parsed.
 */
export async function parseCached(file: FoundFile, caches: Caches): Promise<ParsedManifest> {
  const { memory, content, disk, clock } = caches;
  const key = file.stat?.isFile() ? statKey(file.display, file.stat) : undefined;
  if (key !== undefined) {
    // Each cache must hear of the file, or its end of load would drop the entry.
    const cached = memory.get(file.path, key);
    if (cached && (disk === undefined || disk.keep(file.display))) {
      const contentKey = memory.contentKeyOf(file.path);
      if (contentKey !== undefined) content.set(contentKey, file.display, cached);
      return cached;
    }
    // An earlier process read this file with this very stat: its text is known without a read.
    const byStat = disk?.getByStat(file.display, key);
    if (byStat) {
      const contentKey = disk?.contentKeyOf(file.display);
      if (contentKey !== undefined) content.set(contentKey, file.display, byStat);
      if (file.stat) memory.set(file.path, key, file.stat, byStat, clock.now(), contentKey);
      return byStat;
    }
  }
  const readAt = clock.now();
  const read = await readManifestFile(file.path, file.display, file.within);
  if ("error" in read) return unreadable(file.display, read.error);
  const contentKey = content.keyOf(read.text);
  const diskKey = disk?.keyOf(file.display, read.text);
  let parsed = content.get(contentKey, file.display);
  if (parsed) {
    if (diskKey !== undefined) disk?.set(diskKey, file.display, parsed);
  } else {
    parsed = diskKey === undefined ? undefined : disk?.get(diskKey, file.display);
    if (!parsed) {
      parsed = (await parser())(read.text, file.display);
      if (diskKey !== undefined) disk?.set(diskKey, file.display, parsed);
    }
    content.set(contentKey, file.display, parsed);
  }
  if (diskKey !== undefined && key !== undefined && file.stat && readIsSettled(file.stat, readAt))
    disk?.recordStat(file.display, key, diskKey, contentKey);
  if (key !== undefined && file.stat) memory.set(file.path, key, file.stat, parsed, clock.now(), contentKey);
  return parsed;
}

/** Read and parsed, every time: what `validate` shows must not depend on what a cache holds. */
export async function parseUncached(file: FoundFile): Promise<ParsedManifest> {
  const read = await readManifestFile(file.path, file.display, file.within);
  if ("error" in read) return unreadable(file.display, read.error);
  return (await parser())(read.text, file.display);
}

function unreadable(display: string, error: ParsedManifest["errors"][number]): ParsedManifest {
  return { ...emptyParse(), invalid: [{ file: display, errors: [error] }], errors: [error] };
}
