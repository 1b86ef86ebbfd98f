/** Which services this instance owns: defined with the ownership rule (src/rules/ownership.ts). */
export { DEFAULT_INSTANCE, isManagedBy, managingInstance } from "../rules/ownership.js";
