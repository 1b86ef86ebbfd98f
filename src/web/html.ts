import escapeHtml from "escape-html";

/**
 * HTML built from tagged templates: every interpolated value is escaped unless it is already
 * `Html` (the result of another `html` template), so a string from a manifest or from Swarm can
 * only ever render as text — in element content and in quoted attribute values alike.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** A value a template takes: text (escaped), markup, nothing (`undefined`, `false`), or a list of them. */
export type Fragment = Html | string | number | undefined | null | false | readonly Fragment[];

function render(value: Fragment): string {
  if (value === undefined || value === null || value === false) return "";
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Fragment[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new Html(out);
}
