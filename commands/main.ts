import type { CommandMetaData } from '@adonisjs/core/types/ace'

/**
 * The ace commands of djamazing, loaded lazily by name
 * (`commands: [() => import('djamazing/commands')]` in adonisrc.ts).
 */
const COMMANDS: Record<string, () => Promise<{ default: any }>> = {
  'djamazing:keys': () => import('./djamazing_keys.ts'),
  'djamazing:uploads:prune': () => import('./djamazing_uploads_prune.ts'),
  'djamazing:doctor': () => import('./djamazing_doctor.ts'),
  'djamazing:explain': () => import('./djamazing_explain.ts'),
  'djamazing:sign': () => import('./djamazing_sign.ts'),
  'djamazing:publish': () => import('./djamazing_publish.ts'),
}

export async function getMetaData(): Promise<CommandMetaData[]> {
  const commands = await Promise.all(Object.values(COMMANDS).map((load) => load()))
  return commands.map(({ default: command }) => command.serialize())
}

export async function getCommand(metaData: CommandMetaData) {
  const load = COMMANDS[metaData.commandName]
  if (!load) return null
  const { default: command } = await load()
  return command
}
