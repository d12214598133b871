import Chuandao
import _ChuandaoOutput
import Foundation

/// The store's tables (docs/store.md, "Schema") and their migrations.
public enum StoreSchema {
  /// The version this chuandao writes and reads.
  public static let version = 1

  /// Migration `k` takes a store from version `k` to `k + 1` (0: an empty file).
  static let migrations: [[String]] = [
    [
      "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
      """
      CREATE TABLE delivery(id INTEGER PRIMARY KEY, name TEXT NOT NULL, source TEXT NOT NULL,
        digest TEXT NOT NULL, imported_at TEXT NOT NULL, manifest_name TEXT NOT NULL,
        periods TEXT NOT NULL, summary TEXT NOT NULL)
      """,
      """
      CREATE TABLE delivery_file(delivery INTEGER NOT NULL REFERENCES delivery(id), name TEXT NOT NULL,
        sha256 TEXT NOT NULL, bytes INTEGER NOT NULL, records INTEGER NOT NULL, encoding TEXT NOT NULL,
        PRIMARY KEY(delivery, name))
      """,
      "CREATE TABLE period(label TEXT PRIMARY KEY, position INTEGER NOT NULL UNIQUE)",
      """
      CREATE TABLE revision(id INTEGER PRIMARY KEY, period TEXT NOT NULL REFERENCES period(label),
        number INTEGER NOT NULL, delivery INTEGER NOT NULL REFERENCES delivery(id),
        digest TEXT NOT NULL, period_end TEXT, UNIQUE(period, number))
      """,
      """
      CREATE TABLE slice(revision INTEGER NOT NULL REFERENCES revision(id), file TEXT NOT NULL,
        columns TEXT NOT NULL, records INTEGER NOT NULL, body BLOB NOT NULL,
        PRIMARY KEY(revision, file))
      """,
      """
      CREATE TABLE org_row(delivery INTEGER NOT NULL REFERENCES delivery(id), node TEXT NOT NULL,
        position INTEGER NOT NULL, parent TEXT, level TEXT, name TEXT, members TEXT,
        valid_from TEXT, valid_to TEXT, party_admin_split TEXT, discipline_staff TEXT,
        successor TEXT, PRIMARY KEY(delivery, node))
      """,
      """
      CREATE TABLE org_change(delivery INTEGER NOT NULL REFERENCES delivery(id), node TEXT NOT NULL,
        change TEXT NOT NULL, fields TEXT NOT NULL, PRIMARY KEY(delivery, node))
      """,
      """
      CREATE TABLE publication(name TEXT PRIMARY KEY, period TEXT NOT NULL, published_at TEXT NOT NULL,
        published_by TEXT, settings TEXT, settings_sha256 TEXT, goalposts TEXT NOT NULL,
        weights TEXT NOT NULL, revisions TEXT NOT NULL, document TEXT NOT NULL)
      """,
      """
      CREATE TABLE publication_row(publication TEXT NOT NULL REFERENCES publication(name),
        node TEXT NOT NULL, position INTEGER NOT NULL, level TEXT NOT NULL, composite REAL, rank INTEGER,
        grade TEXT, row TEXT NOT NULL, PRIMARY KEY(publication, node))
      """,
      """
      CREATE TABLE override_event(id INTEGER PRIMARY KEY, action TEXT NOT NULL, target INTEGER,
        period TEXT NOT NULL, node TEXT NOT NULL, analysis TEXT NOT NULL, kind TEXT NOT NULL,
        reason TEXT NOT NULL, author TEXT NOT NULL, at TEXT NOT NULL)
      """,
    ] + ["publication", "publication_row", "override_event"].flatMap { table in
      ["UPDATE", "DELETE"].map { op in
        """
        CREATE TRIGGER \(table)_no_\(op.lowercased()) BEFORE \(op) ON \(table)
        BEGIN SELECT RAISE(ABORT, '\(table) is append-only: published rows and overrides are never rewritten'); END
        """
      }
    }
  ]

  /// The store's schema version, or nil when the file holds no chuandao tables (a fresh
  /// file, or another application's database).
  static func currentVersion(_ sql: any StoreSQL) throws -> Int? {
    let tables = try sql.rows("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0.first?.text }
    guard tables.contains("meta") else {
      return tables.isEmpty ? nil : -1
    }
    return try sql.value("SELECT value FROM meta WHERE key = 'schema_version'")?.text.flatMap(Int.init) ?? -1
  }
}

/// An open store: the database and what every command checks first.
public final class Store: Sendable {
  public let db: any StoreDatabase

  init(db: any StoreDatabase) { self.db = db }

  /// The default store: `$CHUANDAO_STORE`, else `./chuandao.sqlite`.
  public static func defaultLocation(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    if let s = environment["CHUANDAO_STORE"], !s.isEmpty { return s }
    return "chuandao.sqlite"
  }

  /// Makes a store at `location` (or says it is one already). Returns whether it was made.
  @discardableResult
  public static func initialise(location: String) throws(StoreError) -> (store: Store, created: Bool) {
    let db = try openDatabase(location, create: true)
    do {
      let created: Bool = try db.write { sql in
        switch try StoreSchema.currentVersion(sql) {
        case nil:
          try migrate(sql, from: 0)
          try sql.execute("INSERT INTO meta(key, value) VALUES ('store_id', ?), ('created_at', ?)",
            [.text(UUID().uuidString.lowercased()), .text(Provenance.now())])
          return true
        case let v?:
          try checkVersion(v, location: location)
          if v < StoreSchema.version { try migrate(sql, from: v) }
          return false
        }
      }
      return (Store(db: db), created)
    } catch let e as StoreError {
      throw e
    } catch {
      throw StoreError(.io, zh: "\(location)：\(error)", en: "\(location): \(error)")
    }
  }

  /// Opens an existing store, migrating an older schema forward in one transaction. A
  /// file that is not a store, or a store of a newer version, is refused untouched.
  public static func open(location: String) throws(StoreError) -> Store {
    let db = try openDatabase(location, create: false)
    do {
      let v = try db.read { sql in try StoreSchema.currentVersion(sql) }
      guard let v else { throw notAStore(location) }
      try checkVersion(v, location: location)
      if v < StoreSchema.version {
        try db.write { sql in
          // Re-read under the write lock: another process may have migrated meanwhile.
          if let w = try StoreSchema.currentVersion(sql), w < StoreSchema.version { try migrate(sql, from: w) }
        }
      }
      return Store(db: db)
    } catch let e as StoreError {
      throw e
    } catch {
      throw StoreError(.io, zh: "\(location)：\(error)", en: "\(location): \(error)")
    }
  }

  static func openDatabase(_ location: String, create: Bool) throws(StoreError) -> any StoreDatabase {
    if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
      throw StoreError(.usage,
        zh: "\(redacted(location))：此版本的 chuandao 还不支持 PostgreSQL 存储库（见 docs/store.md）；请用 SQLite 文件路径",
        en: "\(redacted(location)): PostgreSQL stores are not built into this chuandao yet (docs/store.md); give an SQLite file path")
    }
    return try SQLiteStore(path: location, create: create)
  }

  static func notAStore(_ location: String) -> StoreError {
    StoreError(.notAStore, zh: "\(location)：不是 chuandao 存储库（SQLite 文件中没有 chuandao 的表）",
      en: "\(location): not a chuandao store (an SQLite file without chuandao's tables)")
  }

  static func checkVersion(_ v: Int, location: String) throws(StoreError) {
    if v < 0 { throw notAStore(location) }
    if v > StoreSchema.version {
      throw StoreError(.newerSchema,
        zh: "\(location)：存储库的结构版本是 \(v)，而此 chuandao 只认识到版本 \(StoreSchema.version)；请升级 chuandao（未作任何改动）",
        en: "\(location): the store has schema version \(v), and this chuandao knows versions up to \(StoreSchema.version); upgrade chuandao (nothing was changed)")
    }
  }

  static func migrate(_ sql: any StoreSQL, from v: Int) throws {
    for k in v..<StoreSchema.version {
      for statement in StoreSchema.migrations[k] { try sql.execute(statement) }
    }
    try sql.execute("INSERT INTO meta(key, value) VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      [.text(String(StoreSchema.version))])
  }

  /// A URL with its password removed, for messages and provenance.
  public static func redacted(_ location: String) -> String {
    guard let at = location.firstIndex(of: "@"), let scheme = location.range(of: "://"),
      scheme.upperBound < at
    else { return location }
    let userinfo = location[scheme.upperBound..<at]
    guard let colon = userinfo.firstIndex(of: ":") else { return location }
    return String(location[..<colon]) + ":***" + String(location[at...])
  }

  public var location: String { Store.redacted(db.location) }

  public func storeID() throws -> String {
    try db.read { sql in try sql.value("SELECT value FROM meta WHERE key = 'store_id'")?.text ?? "" }
  }
}
