/**
 * The `NODE_ENV` spellings AdonisJS reads as production (`app.inProduction`),
 * compared case-insensitively as AdonisJS does.
 */
const PRODUCTION_ENVS = new Set(['prod', 'production'])

/**
 * Whether production checks apply (https CDN and link URLs). An explicit
 * `production` option decides; AdonisJS passes `app.inProduction`. Without
 * one, `NODE_ENV` is read the way AdonisJS reads it, so `Production` and
 * `prod` count too.
 */
export function isProduction(option: boolean | undefined): boolean {
  if (option !== undefined) return option
  return PRODUCTION_ENVS.has(process.env.NODE_ENV?.trim().toLowerCase() ?? '')
}
