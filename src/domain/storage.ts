/** What a persistent app keeps on a node: Docker volume names and host directories. */
export interface StorageSet {
  volumes: string[];
  hostPaths: string[];
}

/** `a` and `b` together, sorted and without repeats: a record of storage never forgets an entry. */
export function mergeStorage(a: StorageSet, b: StorageSet): StorageSet {
  return {
    volumes: [...new Set([...a.volumes, ...b.volumes])].sort(),
    hostPaths: [...new Set([...a.hostPaths, ...b.hostPaths])].sort(),
  };
}
