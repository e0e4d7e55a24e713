import { defineConfig } from '@adonisjs/auth'
import { sessionGuard, type SessionGuard } from '@adonisjs/auth/session'
import type { InferAuthenticators, InferAuthEvents, Authenticators } from '@adonisjs/auth/types'
import type { HttpContext } from '@adonisjs/core/http'
import type { ConfigProvider } from '@adonisjs/core/types'
import { SessionUserProvider } from '../app/users/session_user_provider.ts'

/**
 * Spelled out because the type `defineConfig` infers cannot be named in a
 * declaration file.
 */
type AuthConfig = {
  default: 'web'
  guards: { web: (ctx: HttpContext) => SessionGuard<false, SessionUserProvider> }
}

const authConfig: ConfigProvider<AuthConfig> = defineConfig({
  default: 'web',
  guards: {
    web: sessionGuard({
      useRememberMeTokens: false,
      provider: new SessionUserProvider(),
    }),
  },
})

export default authConfig

declare module '@adonisjs/auth/types' {
  export interface Authenticators extends InferAuthenticators<typeof authConfig> {}
}
declare module '@adonisjs/core/types' {
  interface EventsList extends InferAuthEvents<Authenticators> {}
}
