import Chuandao
import Foundation
import GRDB

/// A store in one SQLite file, through GRDB.
public final class SQLiteStore: StoreDatabase {
  public let location: String
  public var backend: String { "sqlite" }
  private let queue: DatabaseQueue

  /// Opens the file at `path`; with `create`, makes it when missing. A missing file
  /// without `create`, a file SQLite cannot open, or one that is not a database are
  /// `StoreError`s naming the path.
  public init(path: String, create: Bool, busyTimeout: TimeInterval = 3) throws(StoreError) {
    location = path
    var isDirectory: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
    if isDirectory.boolValue {
      throw StoreError(.notAStore, zh: "\(path)：是文件夹，不是 chuandao 存储库（数据集文件夹请直接作为参数给出，不用 --store）",
        en: "\(path): is a folder, not a chuandao store (give a dataset folder as the argument, without --store)")
    }
    if !exists && !create {
      throw StoreError(.cannotOpen, zh: "\(path)：没有这个存储库；先用 `chuandao store init --store \(path)` 创建",
        en: "\(path): no such store; create one with `chuandao store init --store \(path)`")
    }
    var config = Configuration()
    config.busyMode = .timeout(busyTimeout)
    config.label = "chuandao-store"
    do {
      queue = try DatabaseQueue(path: path, configuration: config)
      // Touch the file's header: a file that is not SQLite fails here, not later.
      try queue.read { db in _ = try Int.fetchOne(db, sql: "PRAGMA schema_version") }
    } catch let error as DatabaseError {
      throw Self.translate(error, path: path)
    } catch {
      throw StoreError(.cannotOpen, zh: "\(path)：无法打开：\(error)", en: "\(path): cannot open: \(error)")
    }
  }

  public func read<T>(_ body: (any StoreSQL) throws -> T) throws -> T {
    do {
      return try queue.read { db in try body(GRDBSQL(db: db)) }
    } catch let error as DatabaseError {
      throw Self.translate(error, path: location)
    }
  }

  public func write<T>(_ body: (any StoreSQL) throws -> T) throws -> T {
    do {
      return try queue.writeWithoutTransaction { db in
        var result: T?
        try db.inTransaction(.immediate) {
          result = try body(GRDBSQL(db: db))
          return .commit
        }
        return result!  // set by the committed transaction above
      }
    } catch let error as DatabaseError {
      throw Self.translate(error, path: location)
    }
  }

  static func translate(_ error: DatabaseError, path: String) -> StoreError {
    switch error.resultCode {
    case .SQLITE_BUSY, .SQLITE_LOCKED:
      return StoreError(.busy,
        zh: "\(path)：存储库正被另一个 chuandao 写入（例如另一次导入）；等它完成后再试。什么也没有写入。",
        en: "\(path): the store is busy: another chuandao is writing to it (another import, say); try again when it has finished. Nothing was written.")
    case .SQLITE_NOTADB:
      return StoreError(.notAStore, zh: "\(path)：不是 chuandao 存储库（不是 SQLite 数据库文件）",
        en: "\(path): not a chuandao store (not an SQLite database file)")
    case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY:
      return StoreError(.cannotOpen, zh: "\(path)：无法打开存储库：\(error.message ?? "\(error.resultCode)")",
        en: "\(path): cannot open the store: \(error.message ?? "\(error.resultCode)")")
    default:
      return StoreError(.io, zh: "\(path)：存储库出错：\(error.description)", en: "\(path): store error: \(error.description)")
    }
  }
}

/// `StoreSQL` over one GRDB connection, with statements cached.
struct GRDBSQL: StoreSQL {
  let db: Database

  func execute(_ sql: String, _ arguments: [StoreValue]) throws {
    if arguments.isEmpty {
      try db.execute(sql: sql)
    } else {
      try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
    }
  }

  func rows(_ sql: String, _ arguments: [StoreValue]) throws -> [[StoreValue]] {
    let statement = try db.cachedStatement(sql: sql)
    let cursor = try Row.fetchCursor(statement, arguments: Self.arguments(arguments))
    var out: [[StoreValue]] = []
    while let row = try cursor.next() {
      out.append(row.databaseValues.map(Self.value))
    }
    return out
  }

  static func arguments(_ values: [StoreValue]) -> StatementArguments {
    StatementArguments(values.map { v -> (any DatabaseValueConvertible)? in
      switch v {
      case .null: nil
      case .int(let i): i
      case .real(let d): d
      case .text(let s): s
      case .blob(let b): Data(b)
      }
    })
  }

  static func value(_ v: DatabaseValue) -> StoreValue {
    switch v.storage {
    case .null: .null
    case .int64(let i): .int(i)
    case .double(let d): .real(d)
    case .string(let s): .text(s)
    case .blob(let d): .blob(Array(d))
    }
  }
}
