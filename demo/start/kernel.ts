import router from '@adonisjs/core/services/router'
import server from '@adonisjs/core/services/server'

server.errorHandler(() => import('../app/exceptions/handler.ts'))

server.use([])

/**
 * No CSRF middleware: every form posts to the same origin and the session
 * cookie is `SameSite=Lax`, so browsers do not send it with cross-site
 * POSTs. A real app adds `@adonisjs/shield`.
 */
router.use([
  () => import('@adonisjs/core/bodyparser_middleware'),
  () => import('@adonisjs/session/session_middleware'),
  () => import('@adonisjs/auth/initialize_auth_middleware'),
  () => import('../app/middleware/silent_auth_middleware.ts'),
])

export const middleware = router.named({
  auth: () => import('../app/middleware/auth_middleware.ts'),
})
