import { readFile, rename, writeFile } from 'node:fs/promises'

/**
 * A list of records kept in one JSON file: the demo's stand-in for a
 * database table, so it needs no database server and no native addon.
 * Writes replace the file atomically and run one at a time.
 */
export class JsonFile<Row> {
  #path: string
  #writing: Promise<unknown> = Promise.resolve()

  constructor(path: string) {
    this.#path = path
  }

  async read(): Promise<Row[]> {
    try {
      return JSON.parse(await readFile(this.#path, 'utf8')) as Row[]
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw error
    }
  }

  /**
   * Reads the rows, lets `change` return the new rows, writes them back.
   */
  update(change: (rows: Row[]) => Row[]): Promise<void> {
    const next = this.#writing.then(async () => {
      const rows = change(await this.read())
      const temporary = `${this.#path}.${process.pid}.tmp`
      await writeFile(temporary, JSON.stringify(rows, null, 2))
      await rename(temporary, this.#path)
    })
    this.#writing = next.catch(() => {})
    return next
  }
}
