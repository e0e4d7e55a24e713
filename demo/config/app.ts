import env from '../start/env.ts'
import { defineConfig } from '@adonisjs/core/http'

/**
 * The URL the browser uses to reach the app: the launcher prints it.
 */
export const appUrl = env.get('APP_URL')

export const http = defineConfig({
  generateRequestId: true,
  allowMethodSpoofing: false,

  /**
   * djamazing reads the logged-in user through the HTTP context when a
   * protected disk makes a link, so the context must be reachable from
   * anywhere during a request.
   */
  useAsyncLocalStorage: true,

  cookie: {
    domain: '',
    path: '/',
    maxAge: '2h',
    httpOnly: true,
    secure: false,
    sameSite: 'lax',
  },
})
