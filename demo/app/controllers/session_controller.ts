import type { HttpContext } from '@adonisjs/core/http'
import { clearFolderCookies } from 'djamazing'
import users from '../users/user_store.ts'

export default class SessionController {
  async create({ view }: HttpContext) {
    return view.render('pages/login')
  }

  async store({ request, auth, response, session }: HttpContext) {
    const { username, password } = request.only(['username', 'password'])
    const user = await users.verifyCredentials(String(username ?? ''), String(password ?? ''))
    if (!user) {
      session.flash('error', 'Wrong user name or password.')
      return response.redirect('/login')
    }
    await auth.use('web').login(user)
    return response.redirect('/files')
  }

  async destroy(ctx: HttpContext) {
    await ctx.auth.use('web').logout()
    // Folder links leave CloudFront cookies in the browser: remove them too.
    clearFolderCookies(ctx)
    return ctx.response.redirect('/login')
  }
}
