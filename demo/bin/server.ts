/*
|--------------------------------------------------------------------------
| HTTP server entrypoint
|--------------------------------------------------------------------------
|
| Run directly (`node ace serve`, `node bin/server.js` in a build), it
| starts the demo's HTTP server on HOST:PORT. `npm run demo` imports it
| instead, once it has set the app's environment, and keeps the app.
|
*/

import { Ignitor, prettyPrintError } from '@adonisjs/core'
import type { ApplicationService } from '@adonisjs/core/types'

/**
 * Boots the demo app and starts its HTTP server on HOST:PORT. Resolves once
 * it listens, with the app, whose `terminate()` closes the server.
 */
export async function startHttpServer(): Promise<ApplicationService> {
  const appRoot = new URL('../', import.meta.url)
  let app: ApplicationService | undefined
  await new Ignitor(appRoot, {
    importer: (filePath) => {
      if (filePath.startsWith('./') || filePath.startsWith('../')) {
        return import(new URL(filePath, appRoot).href)
      }
      return import(filePath)
    },
  })
    .tap((created) => {
      app = created
      created.booting(async () => {
        await import('#start/env')
      })
    })
    .httpServer()
    .start()
  if (!app?.isReady) throw new Error('The demo app did not start')
  return app
}

if (import.meta.main) {
  try {
    const app = await startHttpServer()
    app.listen('SIGTERM', () => app.terminate())
    app.listenIf(app.managedByPm2, 'SIGINT', () => app.terminate())
  } catch (error) {
    process.exitCode = 1
    prettyPrintError(error)
  }
}
