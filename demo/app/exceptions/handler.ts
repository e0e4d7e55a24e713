import { ExceptionHandler, type HttpContext } from '@adonisjs/core/http'

/**
 * Error pages show nothing internal, whatever NODE_ENV says: the demo is
 * reachable by anyone who can reach its port, and AdonisJS's debug page
 * prints the stack, absolute paths and the request's cookies. Errors are
 * still reported to the log.
 */
export default class HttpExceptionHandler extends ExceptionHandler {
  protected debug = false

  async handle(error: unknown, ctx: HttpContext) {
    const status = (error as { status?: unknown }).status
    // Client errors keep AdonisJS's own short answer (validation messages,
    // redirects back with flash messages); anything else is one sentence.
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return super.handle(error, ctx)
    }
    return ctx.response.status(500).send('Something went wrong. It has been logged.')
  }

  async report(error: unknown, ctx: HttpContext) {
    return super.report(error, ctx)
  }
}
