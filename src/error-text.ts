/** The message of anything thrown (an Error's message, else its string form), for notices. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
