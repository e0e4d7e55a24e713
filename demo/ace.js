/*
|--------------------------------------------------------------------------
| JavaScript entrypoint for ace commands
|--------------------------------------------------------------------------
|
| Node cannot run the TypeScript of bin/console.ts by itself: this file
| registers the ts-exec hook first. The build writes its own ace.js.
|
*/

/**
 * TypeScript files through ts-exec
 */
import '@poppinss/ts-exec'

/**
 * The ace entrypoint
 */
await import('./bin/console.js')
