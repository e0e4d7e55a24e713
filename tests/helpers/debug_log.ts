import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

/**
 * Runs `script` (an ES module, TypeScript imports allowed) in a child
 * process with NODE_DEBUG=djamazing, which debuglog reads once at startup,
 * and returns what it printed on stderr. `env` is added to this process's
 * environment.
 */
export async function debugLogOf(script: string, env: Record<string, string>): Promise<string> {
  const { stderr } = await run(
    process.execPath,
    ['--import=@poppinss/ts-exec', '--input-type=module', '--eval', script],
    { env: { ...process.env, NODE_DEBUG: 'djamazing', ...env } }
  )
  return stderr
}
