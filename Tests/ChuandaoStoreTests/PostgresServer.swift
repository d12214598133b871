import Foundation
import Testing

@testable import ChuandaoStore

/// The backends the store suite runs on: each test gets a new, empty store of each.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
  case sqlite, postgresql

  var testDescription: String { rawValue }

  /// A new store location: a file in `dir`, or a new database on the test server.
  func newStore(in dir: String) throws -> String {
    switch self {
    case .sqlite: return dir + "/s.sqlite"
    case .postgresql: return try PostgresServer.shared.get().newDatabase()
    }
  }
}

/// A real PostgreSQL server for the tests, from Debian's `postgresql` package: a new
/// cluster in a temporary folder (initdb, trust authentication), listening only on a unix
/// socket in that folder under a free port number, stopped and removed when the test
/// process exits. initdb refuses to run as root, so as root the cluster belongs to the
/// `postgres` user the package creates and every server program runs as that user.
final class PostgresServer: Sendable {
  static let bin = "/usr/lib/postgresql/15/bin"
  let dir: String
  let port: Int

  static let shared: Result<PostgresServer, any Error> = Result { try PostgresServer() }

  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  init() throws {
    guard FileManager.default.isExecutableFile(atPath: Self.bin + "/initdb") else {
      throw Failure(description: "\(Self.bin)/initdb not found: install Debian's postgresql package (make test does)")
    }
    dir = "/tmp/chuandao-pg-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
    if getuid() == 0 { try Self.run(["/bin/chown", "postgres:postgres", dir]) }
    try Self.run([Self.bin + "/initdb", "-D", dir + "/data", "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], asServerUser: true)
    port = Self.freePort()
    // The server must not inherit the descriptors other tests have open at this moment (the
    // pipes of the commands they run): it would keep them open, and their readers would wait
    // for an end of file that never comes. bash closes every descriptor above 2 first.
    try Self.run([
      "/bin/bash", "-c", "for fd in $(ls /proc/$$/fd); do if [ \"$fd\" -gt 2 ]; then eval \"exec $fd>&-\"; fi; done; exec \"$0\" \"$@\"",
      Self.bin + "/pg_ctl", "-D", dir + "/data", "-l", dir + "/log", "-w", "-t", "60",
      "-o", "-k \(dir) -p \(port) -c listen_addresses='' -c fsync=off -c max_connections=40", "start",
    ], asServerUser: true)
    PostgresServer.lock.withLock { PostgresServer.started = (dir, port) }
    atexit {
      guard let (dir, _) = PostgresServer.lock.withLock({ PostgresServer.started }) else { return }
      try? PostgresServer.run([PostgresServer.bin + "/pg_ctl", "-D", dir + "/data", "-m", "immediate", "-w", "stop"], asServerUser: true)
      try? FileManager.default.removeItem(atPath: dir)
    }
  }

  static let lock = NSLock()
  nonisolated(unsafe) static var started: (String, Int)?  // guarded by `lock`

  /// A new database on the server, as a store URL.
  func newDatabase() throws -> String {
    let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    try Self.run([Self.bin + "/createdb", "-h", dir, "-p", String(port), "-U", "postgres", name], asServerUser: true)
    return "postgresql://postgres@/\(name)?host=\(dir)&port=\(port)"
  }

  static func run(_ argv: [String], asServerUser: Bool = false) throws {
    let p = Process()
    if asServerUser && getuid() == 0 {
      p.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
      p.arguments = ["-u", "postgres", "--"] + argv
    } else {
      p.executableURL = URL(fileURLWithPath: argv[0])
      p.arguments = Array(argv.dropFirst())
    }
    // Messages go to a file, not a pipe: the server pg_ctl starts would inherit the pipe
    // and keep it open, and reading it to its end would never return.
    let log = "/tmp/chuandao-pg-run-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).txt"
    FileManager.default.createFile(atPath: log, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: log) }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
    p.standardOutput = FileHandle.nullDevice
    p.standardError = handle
    try p.run()
    p.waitUntilExit()
    try? handle.close()
    if p.terminationStatus != 0 {
      let e = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
      throw Failure(description: "\(argv.joined(separator: " ")) exited \(p.terminationStatus): \(e)")
    }
  }

  /// A TCP port nothing listens on now (the socket file is named after it).
  static func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = INADDR_ANY
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
  }
}
