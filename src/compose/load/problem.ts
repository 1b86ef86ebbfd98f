import type { SourcePosition } from "../../manifest/types.js";
import type { ComposeLoadError, ComposePath } from "../composeDocument.js";
import { formatComposePath } from "./composeNode.js";

/** A problem at a position, its message led by the key path when there is one (`services.web.image: …`). */
export function problemAt(at: SourcePosition, path: ComposePath, message: string): ComposeLoadError {
  const where = formatComposePath(path);
  return {
    file: at.file,
    line: at.line,
    col: at.col,
    message: where === "" ? message : `${where}: ${message}`,
  };
}

/** A problem of a whole file, at its start. */
export function fileProblem(file: string, message: string): ComposeLoadError {
  return { file, line: 1, col: 1, message };
}
