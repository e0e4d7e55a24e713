/**
 * Control characters (C0, DEL, C1), line and paragraph separators and
 * bidi controls: what a terminal acts on, or shows as something else,
 * rather than printing.
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

/**
 * Text for a terminal line: every character a terminal would act on is
 * shown escaped (`\u001b`). The commands echo what they are given (a
 * pasted "broken link" can carry escape sequences that retitle or clear
 * the terminal, or a line break that forges an "accepted" line); `--json`
 * output is escaped by JSON itself.
 */
export function printable(text: string): string {
  return text.replace(
    UNPRINTABLE,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`
  )
}
