import Chuandao
import Foundation
import PostgresNIO

/// A shared team store in PostgreSQL, through postgres-nio: `postgresql://USER:PASSWORD@HOST:PORT/DB`
/// or, as libpq reads it, `postgresql://USER@/DB?host=/socket/folder&port=5432`; what the
/// URL leaves out comes from `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD` and `PGDATABASE`
/// (docs/store.md, "PostgreSQL"). One connection, one transaction at a time; the calls
/// block the calling thread (the store's API is synchronous, as the CLI is).
public final class PostgresStore: StoreDatabase, @unchecked Sendable {
  public let location: String
  public var backend: String { "postgresql" }
  private let group: MultiThreadedEventLoopGroup
  private let connection: PostgresConnection
  private let logger: Logger
  /// Serialises transactions on the one connection (`@unchecked Sendable` rests on it).
  private let lock = NSLock()
  /// The advisory lock an import holds: any 64-bit constant of our own ("chuandao").
  static let writeLockKey: Int64 = 0x6368_7561_6e64_616f

  public struct Endpoint: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    /// The unix socket file when `host` is a folder.
    public var socket: String? { host.hasPrefix("/") ? "\(host)/.s.PGSQL.\(port)" : nil }
  }

  /// The connection parameters of `url`, the environment filling what it leaves out.
  public static func endpoint(_ url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StoreError) -> Endpoint {
    guard let c = URLComponents(string: url), c.scheme == "postgresql" || c.scheme == "postgres" else {
      throw StoreError(.usage, zh: "\(Store.redacted(url))：不是 PostgreSQL 地址（postgresql://用户:密码@主机:端口/数据库）",
        en: "\(Store.redacted(url)): not a PostgreSQL URL (postgresql://USER:PASSWORD@HOST:PORT/DATABASE)")
    }
    let query = Dictionary((c.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
    if let mode = query["sslmode"], !["disable", "allow", "prefer"].contains(mode) {
      throw StoreError(.usage, zh: "\(Store.redacted(url))：sslmode=\(mode) 尚不支持；请经本机套接字连接或用 sslmode=disable",
        en: "\(Store.redacted(url)): sslmode=\(mode) is not supported yet; connect through a local socket or with sslmode=disable")
    }
    func env(_ k: String) -> String? { environment[k].flatMap { $0.isEmpty ? nil : $0 } }
    let host = query["host"] ?? (c.host.flatMap { $0.isEmpty ? nil : $0 }) ?? env("PGHOST") ?? "/var/run/postgresql"
    let portText = query["port"] ?? c.port.map(String.init) ?? env("PGPORT") ?? "5432"
    guard let port = Int(portText), (1...65535).contains(port) else {
      throw StoreError(.usage, zh: "\(Store.redacted(url))：端口 '\(portText)' 无效", en: "\(Store.redacted(url)): bad port '\(portText)'")
    }
    let user = c.user.flatMap { $0.removingPercentEncoding } ?? env("PGUSER") ?? NSUserName()
    let password = c.password.flatMap { $0.removingPercentEncoding } ?? env("PGPASSWORD")
    let path = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
    let database = path.isEmpty ? (env("PGDATABASE") ?? user) : (path.removingPercentEncoding ?? path)
    return Endpoint(host: host, port: port, user: user, password: password, database: database)
  }

  public init(url: String) throws(StoreError) {
    location = url
    let e = try Self.endpoint(url)
    var logger = Logger(label: "chuandao.store.postgres")
    logger.logLevel = .critical
    self.logger = logger
    let configuration: PostgresConnection.Configuration
    if let socket = e.socket {
      configuration = .init(unixSocketPath: socket, username: e.user, password: e.password, database: e.database)
    } else {
      configuration = .init(host: e.host, port: e.port, username: e.user, password: e.password, database: e.database, tls: .disable)
    }
    group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    do {
      connection = try PostgresConnection.connect(on: group.next(), configuration: configuration, id: 1, logger: logger).wait()
    } catch {
      try? group.syncShutdownGracefully()
      let place = e.socket ?? "\(e.host):\(e.port)"
      throw StoreError(.cannotOpen,
        zh: "\(Store.redacted(url))：无法连接 PostgreSQL（\(place)，用户 \(e.user)，数据库 \(e.database)）：\(Self.reason(error))",
        en: "\(Store.redacted(url)): cannot connect to PostgreSQL (\(place), user \(e.user), database \(e.database)): \(Self.reason(error))")
    }
  }

  deinit {
    try? connection.close().wait()
    try? group.syncShutdownGracefully()
  }

  public func read<T>(_ body: (any StoreSQL) throws -> T) throws -> T {
    try lock.withLock {
      try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }
  }

  public func write<T>(_ body: (any StoreSQL) throws -> T) throws -> T {
    try lock.withLock {
      try transaction("BEGIN") { sql in
        // Two writers at once: the second is told so rather than left waiting.
        guard try sql.value("SELECT pg_try_advisory_xact_lock(?)", [.int(Self.writeLockKey)]) == .int(1) else {
          throw StoreError(.busy,
            zh: "\(Store.redacted(self.location))：存储库正被另一个 chuandao 写入（例如另一次导入）；等它完成后再试。什么也没有写入。",
            en: "\(Store.redacted(self.location)): the store is busy: another chuandao is writing to it (another import, say); try again when it has finished. Nothing was written.")
        }
        return try body(sql)
      }
    }
  }

  private func transaction<T>(_ begin: String, _ body: (any StoreSQL) throws -> T) throws -> T {
    let sql = PostgresSQL(connection: connection, logger: logger, location: location)
    try sql.execute(begin)
    do {
      let result = try body(sql)
      try sql.execute("COMMIT")
      return result
    } catch {
      try? sql.execute("ROLLBACK")
      throw error
    }
  }

  static func reason(_ error: any Error) -> String {
    if let e = error as? PSQLError {
      if let message = e.serverInfo?[.message] { return message }
      return "\(e.code)" + (e.underlying.map { ": \($0)" } ?? "")
    }
    return "\(error)"
  }
}

/// `StoreSQL` over one PostgreSQL connection: `?` become `$1`, `$2`, ...
struct PostgresSQL: StoreSQL {
  let connection: PostgresConnection
  let logger: Logger
  let location: String

  func execute(_ sql: String, _ arguments: [StoreValue]) throws {
    _ = try rows(sql, arguments)
  }

  func rows(_ sql: String, _ arguments: [StoreValue]) throws -> [[StoreValue]] {
    var binds = PostgresBindings(capacity: arguments.count)
    for a in arguments {
      switch a {
      case .null: binds.appendNull()
      case .int(let i): binds.append(i)
      case .real(let d): binds.append(d)
      case .text(let s): binds.append(s)
      case .blob(let b): try binds.append(Data(b))
      }
    }
    let query = PostgresQuery(unsafeSQL: Self.numbered(sql), binds: binds)
    let result: PostgresQueryResult
    do {
      result = try connection.query(query, logger: logger).wait()
    } catch {
      throw StoreError(.io, zh: "\(Store.redacted(location))：PostgreSQL 出错：\(PostgresStore.reason(error))",
        en: "\(Store.redacted(location)): PostgreSQL error: \(PostgresStore.reason(error))")
    }
    return result.rows.map { row in
      row.map { cell -> StoreValue in
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int8, .int4, .int2: return (try? cell.decode(Int64.self)).map { .int($0) } ?? .null
        case .float8, .float4, .numeric: return (try? cell.decode(Double.self)).map { .real($0) } ?? .null
        case .bytea: return (try? cell.decode(Data.self)).map { .blob(Array($0)) } ?? .null
        case .bool: return (try? cell.decode(Bool.self)).map { .int($0 ? 1 : 0) } ?? .null
        default: return (try? cell.decode(String.self)).map { .text($0) } ?? .null
        }
      }
    }
  }

  /// `?` placeholders as `$n`, outside quoted text.
  static func numbered(_ sql: String) -> String {
    var out = ""
    var n = 0
    var quoted = false
    for ch in sql {
      if ch == "'" { quoted.toggle() }
      if ch == "?" && !quoted {
        n += 1
        out += "$\(n)"
      } else {
        out.append(ch)
      }
    }
    return out
  }
}
