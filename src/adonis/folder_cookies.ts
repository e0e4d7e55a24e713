import type { HttpContext } from '@adonisjs/core/http'
import { folderCookieClearing } from '../links/folder_cookies.ts'

/**
 * Deletes, in this browser, every CloudFront cookie that folder links
 * set: call it where your app logs users out.
 *
 * ```ts
 * await auth.use('web').logout()
 * clearFolderCookies(ctx)
 * ```
 *
 * The cookies' signatures stay valid until they expire (CloudFront cannot
 * revoke them); this removes them from the browser that logs out.
 */
export function clearFolderCookies(ctx: HttpContext): void {
  ctx.response.append('Set-Cookie', folderCookieClearing(ctx.request.header('cookie')))
}
