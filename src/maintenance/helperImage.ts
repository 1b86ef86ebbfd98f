/**
 * The image of the one-shot jobs: it must be on (or pullable by) every node that holds data, and
 * have a POSIX shell with tar (gzip), sha256sum, find, cp, wc and cut. busybox has them all.
 */
export const DEFAULT_HELPER_IMAGE = "busybox:stable";
