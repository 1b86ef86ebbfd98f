import type { Linter } from "eslint";

export interface Layer {
  values: string[];
  types?: string[];
  ports?: string[];
}
export const LAYERS: Record<string, Layer>;
export const PURE_CORE_MODULES: string[];
export const layersConfig: Linter.Config;
