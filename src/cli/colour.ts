/**
 * When the command uses colour, and the few styles it uses.
 *
 * Colour only on a terminal, never when `NO_COLOR` is set (any value, empty
 * included, as Node's own `getColorDepth()` reads it; see
 * https://no-color.org). `FORCE_COLOR` (any value but `0`/`false`) turns it
 * on where there is no terminal — for a CI log that renders ANSI — but
 * `NO_COLOR` still wins: a user who asked for no colour gets none.
 */

/** Whether to colour text written to `stream`, given the environment. */
export function colourEnabled(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** A text style: wraps text in its escape codes, or returns it as it is. */
export type Style = (text: string) => string;

/** The styles the command uses. */
export interface Palette {
  readonly bold: Style;
  readonly dim: Style;
  readonly red: Style;
  readonly green: Style;
  readonly cyan: Style;
}

/** The palette: real styles when `enabled`, identity functions otherwise. */
export function palette(enabled: boolean): Palette {
  // Each style closes with its own reset code (22 for bold/dim, 39 for
  // colours) so styles nest without cancelling each other.
  const style = (open: number, close: number): Style => (enabled ? (text) => `\x1b[${open}m${text}\x1b[${close}m` : (text) => text);
  return { bold: style(1, 22), dim: style(2, 22), red: style(31, 39), green: style(32, 39), cyan: style(36, 39) };
}
