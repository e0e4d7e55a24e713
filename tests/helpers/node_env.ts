/**
 * Puts NODE_ENV back as it was. Assigning `undefined` to a `process.env`
 * entry stores the string "undefined", which app processes started later
 * in the same run refuse, so an unset value is deleted instead.
 */
export function restoreNodeEnv(previous: string | undefined) {
  if (previous === undefined) delete process.env.NODE_ENV
  else process.env.NODE_ENV = previous
}
