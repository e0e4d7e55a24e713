import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'

/**
 * Lets logged-in users through; sends guests to the login page.
 */
export default class AuthMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (!(await ctx.auth.use('web').check())) {
      return ctx.response.redirect('/login')
    }
    return next()
  }
}
