#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// What produced a result: the program version, the digest of every input file and of
/// the configuration, the command line, the period and the time (METHODS.md section 7).
public struct Provenance: Sendable {
  public var version: String
  /// Input files by file name (`org.csv`) with their SHA-256 in lowercase hex. Kept in
  /// file-name order (UTF-8 byte order, as `LC_ALL=C sort`); `json` sorts again.
  public var inputs: [(file: String, sha256: String)] {
    didSet { inputs.sort { Self.precedes($0.file, $1.file) } }
  }
  public var configSHA256: String?
  public var command: String
  public var period: String?
  /// ISO 8601 UTC to the second, e.g. `2026-11-30T03:25:12Z`.
  public var generatedAt: String
  /// Where the dataset came from when it was composed from a history store
  /// (docs/store.md, "Provenance"): written as `store` after the other keys; nil otherwise.
  public var store: JSON?

  public init(
    version: String,
    inputs: [(file: String, sha256: String)],
    configSHA256: String? = nil,
    command: String,
    period: String? = nil,
    generatedAt: String = Provenance.now()
  ) {
    self.version = version
    self.inputs = inputs.sorted { Self.precedes($0.file, $1.file) }
    self.configSHA256 = configSHA256
    self.command = command
    self.period = period
    self.generatedAt = generatedAt
  }

  /// `{"version", "inputs": {FILE: sha256}, "config_sha256", "command", "period",
  /// "generated_at"}` in that order; `config_sha256` and `period` are null when absent.
  /// A file name given twice keeps its last digest.
  public var json: JSON {
    var files = JSONObject()
    for input in inputs.sorted(by: { Self.precedes($0.file, $1.file) }) {
      files[input.file] = .string(input.sha256)
    }
    var object: JSONObject = [
      "version": .string(version),
      "inputs": .object(files),
      "config_sha256": JSON(configSHA256),
      "command": .string(command),
      "period": JSON(period),
      "generated_at": .string(generatedAt),
    ]
    if let store { object["store"] = store }
    return .object(object)
  }

  /// `(file name, SHA-256)` of each path, keyed by its last path component, sorted.
  public static func digests(ofFiles paths: [String]) throws(OutputError) -> [(
    file: String, sha256: String
  )] {
    var result: [(file: String, sha256: String)] = []
    for path in paths {
      let name =
        path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
      result.append((name, try FileDigest.sha256Hex(path: path)))
    }
    return result.sorted { precedes($0.file, $1.file) }
  }

  /// The current time as `YYYY-MM-DDTHH:MM:SSZ`.
  ///
  /// When the environment has `SOURCE_DATE_EPOCH` (the reproducible-builds.org
  /// convention: seconds since 1970-01-01T00:00:00Z as a decimal integer), that time is
  /// used instead of the clock, so that reruns produce identical output. A value that is
  /// not a non-negative integer is ignored.
  public static func now(environment: [String: String]? = nil) -> String {
    let value: String?
    if let environment {
      value = environment["SOURCE_DATE_EPOCH"]
    } else {
      value = getenv("SOURCE_DATE_EPOCH").map { String(cString: $0) }
    }
    if let value, let seconds = Int(value), seconds >= 0 {
      return timestamp(epochSeconds: seconds)
    }
    return timestamp(epochSeconds: Int(time(nil)))
  }

  /// `epochSeconds` (since 1970-01-01T00:00:00Z) as `YYYY-MM-DDTHH:MM:SSZ`.
  public static func timestamp(epochSeconds: Int) -> String {
    var t = time_t(epochSeconds)
    var parts = tm()
    gmtime_r(&t, &parts)
    func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
    let year = Int(parts.tm_year) + 1900
    let y = String(year)
    return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-" + two(parts.tm_mon + 1)
      + "-" + two(parts.tm_mday) + "T" + two(parts.tm_hour) + ":" + two(parts.tm_min) + ":"
      + two(parts.tm_sec) + "Z"
  }

  private static func precedes(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
  }
}
