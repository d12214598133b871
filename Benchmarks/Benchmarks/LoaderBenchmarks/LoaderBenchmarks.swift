import Benchmark
import Chuandao
import Foundation

// Dataset.load(folder:) end to end (read, decode, check every row, build the forest and the
// per-period columns) on the province preset: 200 x 50 x 20, about 210,000 nodes over
// 3 periods. Once with the generator's UTF-8 files, once with every .csv transcoded to
// GB18030 (dataset.yaml stays UTF-8), as Excel and WPS save them on Chinese Windows.
//
// The datasets are made once, outside the repository, and reused while complete:
// $CHUANDAO_BENCH_DIR (default /tmp/chuandao-bench)/province-utf8 and province-gb18030.
// Delete that folder after changing the generator.

let benchmarks: @Sendable () -> Void = {
  // Tolerances for `thresholds check` and `baseline check`. On a shared 2-core machine
  // another build moves wall and CPU time by up to 40% (seen here), so time fails only
  // past +60%: a guard against gross regressions; compare baselines run back to back for
  // drift. Peak memory and malloc counts hardly move (under 1%): a tenth more fails.
  let tolerances: [BenchmarkMetric: BenchmarkThresholds] = [
    .wallClock: .init(relative: [.p90: 60.0]),
    .cpuTotal: .init(relative: [.p90: 60.0]),
    LoaderMetric.bytesPerSecond: .init(relative: [.p90: 60.0]),
    LoaderMetric.recordsPerSecond: .init(relative: [.p90: 60.0]),
    .peakMemoryResident: .init(relative: [.p90: 10.0]),
    .mallocCountTotal: .init(relative: [.p90: 10.0]),
  ]
  Benchmark.defaultConfiguration = .init(
    metrics: [
      .wallClock, .cpuTotal, .peakMemoryResident, .mallocCountTotal,
      LoaderMetric.bytesPerSecond, LoaderMetric.recordsPerSecond,
    ],
    timeUnits: .milliseconds,
    units: [.peakMemoryResident: .mega],
    warmupIterations: 1,
    maxDuration: .seconds(60),
    maxIterations: 5,
    thresholds: tolerances
  )

  for encoding in FixtureEncoding.allCases {
    Benchmark("Dataset.load.province.\(encoding.label)") { benchmark, fixture in
      let start = ContinuousClock.now
      let dataset = try Dataset.load(folder: fixture.folder)
      let elapsed = start.duration(to: .now)
      benchmark.stopMeasurement()
      try fixture.check(dataset)
      let seconds =
        Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
      benchmark.measurement(
        LoaderMetric.bytesPerSecond, Int((Double(fixture.csvBytes) / seconds).rounded()))
      benchmark.measurement(
        LoaderMetric.recordsPerSecond, Int((Double(fixture.records) / seconds).rounded()))
      blackHole(dataset)
    } setup: {
      try Fixture.prepare(encoding)
    }
  }
}

/// The loader's own throughput: CSV bytes on disk (in that encoding) and data records
/// read per second of `Dataset.load`. Shown with the framework's unit prefix, so "(M)"
/// next to bytes/s reads as MB/s (10^6 bytes).
enum LoaderMetric {
  static let bytesPerSecond = BenchmarkMetric.custom(
    "CSV bytes/s", polarity: .prefersLarger, useScalingFactor: false)
  static let recordsPerSecond = BenchmarkMetric.custom(
    "CSV records/s", polarity: .prefersLarger, useScalingFactor: false)
}

enum FixtureEncoding: String, CaseIterable, Sendable {
  case utf8
  case gb18030

  var label: String { self == .utf8 ? "UTF-8" : "GB18030" }
}

/// A province dataset on disk, ready to load.
struct Fixture: Sendable {
  var encoding: FixtureEncoding
  var folder: String
  /// The bytes of every .csv of the folder, in its encoding.
  var csvBytes: Int
  /// Data records of every .csv (headers excluded), from a first load.
  var records: Int
  var nodes: Int

  static var root: String {
    ProcessInfo.processInfo.environment["CHUANDAO_BENCH_DIR"] ?? "/tmp/chuandao-bench"
  }

  /// The dataset folder for `encoding`, made if missing or incomplete.
  static func prepare(_ encoding: FixtureEncoding) throws -> Fixture {
    let utf8 = try ensureUTF8()
    let folder = encoding == .utf8 ? utf8 : try ensureGB18030(from: utf8)
    // A first load gives the record count and checks the dataset before anything is timed.
    let dataset = try Dataset.load(folder: folder)
    let csv = dataset.files.filter { $0.name.hasSuffix(".csv") }
    let fixture = Fixture(
      encoding: encoding, folder: folder, csvBytes: csv.reduce(0) { $0 + $1.bytes },
      records: csv.reduce(0) { $0 + $1.records }, nodes: dataset.forest.count)
    try fixture.check(dataset)
    print(
      "fixture \(folder): \(fixture.nodes) nodes, \(csv.count) CSV files, "
        + "\(fixture.csvBytes) bytes, \(fixture.records) records; "
        + csv.map { "\($0.name) \($0.encoding) \($0.bytes)" }.joined(separator: ", "))
    return fixture
  }

  /// Fails unless the dataset is the one this fixture stands for, in its encoding. A file of
  /// plain ASCII is the same bytes in both encodings and is read as UTF-8 either way (in the
  /// province preset: members, scores, supervision, risks and responsibilities), so the
  /// GB18030 fixture asks only that the files holding Chinese text be read as GB18030.
  func check(_ dataset: Dataset) throws {
    guard dataset.forest.count == nodes, dataset.forest.count > 200_000 else {
      throw FixtureError("\(folder): \(dataset.forest.count) nodes, expected \(nodes)")
    }
    let chinese: Set = ["org.csv", "problems.csv", "projects.csv", "leaders.csv"]
    for file in dataset.files where file.name.hasSuffix(".csv") && file.records > 0 {
      let ok =
        encoding == .gb18030 && chinese.contains(file.name)
        ? file.encoding == "gb18030" : file.encoding.hasPrefix("utf8")
      guard ok else {
        throw FixtureError("\(folder)/\(file.name) read as \(file.encoding)")
      }
    }
  }

  static let marker = ".complete"

  /// `root/province-utf8`, written by the generator (seed 1) unless already complete.
  static func ensureUTF8() throws -> String {
    let folder = (root as NSString).appendingPathComponent("province-utf8")
    if isComplete(folder) { return folder }
    let partial = try freshFolder(folder + ".partial-\(getpid())")
    print("generating the province preset into \(folder) ...")
    _ = try DatasetGenerator(GeneratorSpec.preset(.province, seed: 1)).write(to: partial)
    return try publish(partial, as: folder)
  }

  /// `root/province-gb18030`: every .csv of the UTF-8 folder through
  /// `iconv -f UTF-8 -t GB18030`, the other files copied as they are.
  static func ensureGB18030(from utf8: String) throws -> String {
    let folder = (root as NSString).appendingPathComponent("province-gb18030")
    if isComplete(folder) { return folder }
    let partial = try freshFolder(folder + ".partial-\(getpid())")
    print("transcoding \(utf8) to GB18030 into \(folder) ...")
    let fm = FileManager.default
    for name in try fm.contentsOfDirectory(atPath: utf8).sorted() where name != marker {
      let source = (utf8 as NSString).appendingPathComponent(name)
      let target = (partial as NSString).appendingPathComponent(name)
      if name.hasSuffix(".csv") {
        try run("/usr/bin/iconv", ["-f", "UTF-8", "-t", "GB18030", "-o", target, source])
      } else {
        try fm.copyItem(atPath: source, toPath: target)
      }
    }
    return try publish(partial, as: folder)
  }

  static func isComplete(_ folder: String) -> Bool {
    FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(marker))
  }

  static func freshFolder(_ path: String) throws -> String {
    let fm = FileManager.default
    if fm.fileExists(atPath: path) { try fm.removeItem(atPath: path) }
    try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  /// Marks `partial` complete and renames it to `folder`, replacing an incomplete one.
  static func publish(_ partial: String, as folder: String) throws -> String {
    let fm = FileManager.default
    try Data("province preset, seed 1\n".utf8).write(
      to: URL(fileURLWithPath: (partial as NSString).appendingPathComponent(marker)))
    if fm.fileExists(atPath: folder) { try fm.removeItem(atPath: folder) }
    try fm.moveItem(atPath: partial, toPath: folder)
    return folder
  }

  static func run(_ tool: String, _ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw FixtureError(
        "\(tool) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
    }
  }
}

struct FixtureError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
