export type { Db, Queryable, QueryResult, Session } from "./db.js";
export { MigrationChangedError, migrate } from "./migrate.js";
export { openDb } from "./open-db.js";
