import { folderCookieClearing } from '../links/folder_cookies.ts'

/**
 * The part of AdonisJS's `HttpContext` this reads and writes, written out
 * so that the package's root types compile without AdonisJS installed.
 */
type CookieContext = {
  request: { header(name: string): string | null | undefined }
  response: { append(name: string, value: string[]): unknown }
}

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
export function clearFolderCookies(ctx: CookieContext): void {
  ctx.response.append('Set-Cookie', folderCookieClearing(ctx.request.header('cookie') ?? undefined))
}
