import { ensureDatabase, withDatabase } from '../../src/migrate.ts'
import { dropDatabase, testDatabaseName, testServerUrl } from '../../src/testing.ts'

/**
 * Empty (unmigrated) databases for migration tests. Named like the fixture's databases, so a killed run's
 * leftovers are dropped by the fixture's stale cleanup; `dropAll()` removes them in afterAll.
 */
export function emptyDatabases() {
  const names = new Set<string>()
  return {
    /** A name and URL, without creating the database. */
    reserve(): { name: string; url: string } {
      const name = testDatabaseName()
      names.add(name)
      return { name, url: withDatabase(testServerUrl, name) }
    },
    async create(): Promise<{ name: string; url: string }> {
      const db = this.reserve()
      await ensureDatabase(db.url)
      return db
    },
    async dropAll(): Promise<void> {
      await Promise.all([...names].map((name) => dropDatabase(name)))
      names.clear()
    },
  }
}
