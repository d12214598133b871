import Foundation
import Testing

@testable import Chuandao

#if canImport(Glibc)
  import Glibc
#endif

/// The dataset snapshot through the built executable (docs/snapshot.md): the output is
/// the same byte for byte whether the data come from the CSV files, from the snapshot or
/// with `--no-cache`; a changed input is noticed with one note. Each test has its own cache
/// folder (`CHUANDAO_CACHE`) and copy of the sample.
@Suite("Dataset snapshots from the command line")
struct SnapshotCLITests {
  @Test("JSON is byte-identical from the CSV files, from the snapshot and with --no-cache",
    arguments: ["attenuation", "imbalance", "assess", "closure", "trend", "coordination"])
  func sameOutput(_ command: String) throws {
    let (dir, env) = try Self.setUp()
    defer { Self.remove(dir) }
    let args = [command, dir, "--format", "json", "--lang", "en"]
    let first = try CLI.run(args, environment: env)
    #expect(first.status == 0, "\(first.stderr)")
    let snapshot = Self.snapshotFile(dir, env)
    let made = try #require(InputFileStat.status(of: snapshot), "no snapshot written")
    let second = try CLI.run(args, environment: env)
    // Read, not written again (a new snapshot would be a new file: another inode).
    #expect(InputFileStat.status(of: snapshot)?.inode == made.inode)
    let none = try CLI.run(args + ["--no-cache"], environment: env)
    for r in [second, none] {
      #expect(r.status == 0, "\(r.stderr)")
      #expect(Self.masked(r) == Self.masked(first))
      // The sample's warning, replayed word for word, and nothing else.
      #expect(r.stderr == first.stderr)
    }
    #expect(first.stderr.contains("warning: node"), "\(first.stderr)")
    // Provenance as exact as without the snapshot: the files' SHA-256, as sha256sum says.
    #expect(Self.masked(second).contains("\"scores.csv\": \"\(try CLI.sha256sum(dir + "/scores.csv"))\""))
  }

  @Test("the second run reads the snapshot: its own stage on a terminal")
  func readsSnapshot() throws {
    let (dir, env) = try Self.setUp()
    defer { Self.remove(dir) }
    #expect(try CLI.run(["summary", dir], environment: env).status == 0)
    #expect(Self.onTerminal("summary \(dir) --lang en", env).contains("reading the dataset snapshot ... "))
    let csv = Self.onTerminal("summary \(dir) --lang en --no-cache", env)
    #expect(csv.contains("reading and checking the dataset ... ") && !csv.contains("snapshot"), "\(csv)")
  }

  @Test("a touched input: one note, in the language asked for; then the snapshot again")
  func staleNote() throws {
    let (dir, env) = try Self.setUp()
    defer { Self.remove(dir) }
    #expect(try CLI.run(["summary", dir], environment: env).status == 0)
    Self.setTime(dir + "/supervision.csv", second: 1_600_000_000)
    let en = try CLI.run(["summary", dir, "--lang", "en"], environment: env)
    #expect(en.stderr.components(separatedBy: "\n").filter { $0.hasPrefix("note:") }
      == ["note: the dataset snapshot is stale (supervision.csv changed); reading the CSV files"], "\(en.stderr)")
    Self.setTime(dir + "/supervision.csv", second: 1_600_000_100)
    let zh = try CLI.run(["summary", dir], environment: env)
    #expect(zh.stderr.contains("注：数据集快照已过期（supervision.csv 已改变），重新读取\n"), "\(zh.stderr)")
    let again = try CLI.run(["summary", dir, "--lang", "en"], environment: env)
    #expect(!again.stderr.contains("note:"), "\(again.stderr)")
  }

  @Test("--rehash finds content changed under the same size and time; the result is the CSV files'")
  func rehash() throws {
    let (dir, env) = try Self.setUp()
    defer { Self.remove(dir) }
    for name in Dataset.knownFiles { Self.setTime(dir + "/" + name, second: 1_577_836_800) }
    let args = ["attenuation", dir, "--format", "json", "--lang", "en"]
    let before = try CLI.run(args, environment: env)
    #expect(before.status == 0)
    try Self.changeScoreInPlace(dir + "/scores.csv")
    let rehashed = try CLI.run(args + ["--rehash"], environment: env)
    #expect(rehashed.stderr.contains(
      "note: the dataset snapshot is stale (the content of scores.csv changed: another SHA-256); reading the CSV files"),
      "\(rehashed.stderr)")
    let none = try CLI.run(args + ["--no-cache"], environment: env)
    #expect(Self.masked(rehashed) == Self.masked(none))
    #expect(Self.masked(rehashed) != Self.masked(before))
    // The rebuilt snapshot holds the new content.
    let after = try CLI.run(args + ["--rehash"], environment: env)
    #expect(!after.stderr.contains("note:"))
    #expect(Self.masked(after) == Self.masked(none))
  }

  @Test("a cache folder that cannot be made: one note, the same output")
  func unwritableCache() throws {
    let (dir, env) = try Self.setUp()
    defer { Self.remove(dir) }
    try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/../blocker"))
    let blocked = ["CHUANDAO_CACHE": dir + "/../blocker/cache"]
    let args = ["attenuation", dir, "--format", "json", "--lang", "en"]
    let r = try CLI.run(args, environment: blocked)
    #expect(r.status == 0, "\(r.stderr)")
    let notes = r.stderr.components(separatedBy: "\n").filter { $0.hasPrefix("note:") }
    #expect(notes.count == 1 && notes[0].hasPrefix("note: cannot write the dataset snapshot ("), "\(r.stderr)")
    #expect(Self.masked(r) == Self.masked(try CLI.run(args + ["--no-cache"], environment: env)))
  }

  @Test("--no-cache and CHUANDAO_NO_CACHE=1 neither read nor write a snapshot")
  func noCache() throws {
    let (dir, env) = try Self.setUp()
    defer { Self.remove(dir) }
    let cache = try #require(env["CHUANDAO_CACHE"])
    #expect(try CLI.run(["summary", dir, "--no-cache"], environment: env).status == 0)
    var disabled = env
    disabled["CHUANDAO_NO_CACHE"] = "1"
    #expect(try CLI.run(["summary", dir], environment: disabled).status == 0)
    #expect(!FileManager.default.fileExists(atPath: cache))
    #expect(try CLI.run(["summary", dir], environment: env).status == 0)
    #expect(FileManager.default.fileExists(atPath: Self.snapshotFile(dir, env)))
  }

  @Test("--no-cache and --rehash have help in both languages")
  func help() throws {
    let en = try CLI.run(["attenuation", "--help", "--lang", "en"]).out
    #expect(en.contains("--no-cache") && en.contains("Neither read nor write the dataset snapshot"))
    #expect(en.contains("--rehash"))
    let zh = try CLI.run(["imbalance", "--help", "--lang", "zh"]).out
    #expect(zh.contains("--no-cache") && zh.contains("不读也不写数据集快照"))
  }
}

extension SnapshotCLITests {
  /// A copy of the sample and an environment naming a fresh cache folder beside it.
  static func setUp() throws -> (String, [String: String]) {
    let base = try CLI.temporaryDirectory()
    let dir = base + "/sample"
    try FileManager.default.copyItem(atPath: CLI.sample, toPath: dir)
    return (dir, ["CHUANDAO_CACHE": base + "/cache"])
  }

  static func remove(_ dir: String) {
    try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent)
  }

  static func snapshotFile(_ dir: String, _ env: [String: String]) -> String {
    SnapshotCache(folder: env["CHUANDAO_CACHE"]!).snapshotPath(forDataset: dir)
  }

  /// Standard output without the lines that differ by run: the time made and the command.
  static func masked(_ r: CLI.Result) -> String {
    r.out.split(separator: "\n", omittingEmptySubsequences: false)
      .filter { !$0.contains("\"generated_at\"") && !$0.contains("\"command\"") }
      .joined(separator: "\n")
  }

  /// What the command prints on a terminal (`script` gives it one), every stage shown.
  static func onTerminal(_ arguments: String, _ env: [String: String]) -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
    p.arguments = ["-qec", "\(CLI.binary.path) \(arguments) > /dev/null", "/dev/null"]
    var environment = CLI.environment
    for (k, v) in env { environment[k] = v }
    environment["CHUANDAO_PROGRESS_AFTER"] = "0"
    p.environment = environment
    let out = Pipe()
    p.standardOutput = out
    guard (try? p.run()) != nil else { return "" }
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return text
  }

  static func setTime(_ path: String, second: Int) {
    var times = [timespec(tv_sec: second, tv_nsec: 0), timespec(tv_sec: second, tv_nsec: 0)]
    _ = utimensat(AT_FDCWD, path, &times, 0)
  }

  /// Lowers one score's last digit in place (same file, same size) and puts the time back.
  static func changeScoreInPlace(_ path: String) throws {
    let before = try #require(InputFileStat.status(of: path))
    var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    // The last one: the latest period's, which the analyses read by default.
    let at = try #require(bytes.indices.dropFirst().last { i in
      bytes[i] == UInt8(ascii: "\n") && (UInt8(ascii: "1")...UInt8(ascii: "8")).contains(bytes[i - 1])
    }) - 1
    bytes[at] -= 1
    let handle = try #require(FileHandle(forWritingAtPath: path))
    try handle.write(contentsOf: bytes)
    try handle.close()
    let t = timespec(tv_sec: Int(before.mtime / 1_000_000_000), tv_nsec: Int(before.mtime % 1_000_000_000))
    var times = [t, t]
    _ = utimensat(AT_FDCWD, path, &times, 0)
    let after = try #require(InputFileStat.status(of: path))
    #expect(after.size == before.size && after.mtime == before.mtime && after.inode == before.inode)
  }
}
