import Benchmark
import Chuandao
import Foundation

// DatasetGenerator.write(to:) on the province preset (200 x 50 x 20, 3 periods, seed 1):
// the whole dataset and truth.json written to a fresh folder under
// $CHUANDAO_BENCH_DIR (default /tmp/chuandao-bench), deleted after each iteration.

let benchmarks: @Sendable () -> Void = {
  // Tolerances for `thresholds check` and `baseline check`. On a shared 2-core machine
  // another build moves wall and CPU time by up to 40% (seen here), so time fails only
  // past +60%: a guard against gross regressions; compare baselines run back to back for
  // drift. Peak memory and malloc counts hardly move (under 1%): a tenth more fails.
  let tolerances: [BenchmarkMetric: BenchmarkThresholds] = [
    .wallClock: .init(relative: [.p90: 60.0]),
    .cpuTotal: .init(relative: [.p90: 60.0]),
    GeneratorMetric.bytesPerSecond: .init(relative: [.p90: 60.0]),
    .peakMemoryResident: .init(relative: [.p90: 10.0]),
    .mallocCountTotal: .init(relative: [.p90: 10.0]),
  ]
  Benchmark.defaultConfiguration = .init(
    metrics: [
      .wallClock, .cpuTotal, .peakMemoryResident, .mallocCountTotal,
      GeneratorMetric.bytesPerSecond,
    ],
    timeUnits: .milliseconds,
    units: [.peakMemoryResident: .mega],
    warmupIterations: 1,
    maxDuration: .seconds(60),
    maxIterations: 3,
    thresholds: tolerances
  )

  Benchmark("DatasetGenerator.write.province") { benchmark in
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let start = ContinuousClock.now
    let truth = try DatasetGenerator(GeneratorSpec.preset(.province, seed: 1)).write(to: folder)
    let elapsed = start.duration(to: .now)
    benchmark.stopMeasurement()
    blackHole(truth)
    let seconds =
      Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    benchmark.measurement(
      GeneratorMetric.bytesPerSecond, Int((Double(try bytes(in: folder)) / seconds).rounded()))
  }
}

/// Bytes written per second (every file of the folder, truth.json included).
enum GeneratorMetric {
  static let bytesPerSecond = BenchmarkMetric.custom(
    "written bytes/s", polarity: .prefersLarger, useScalingFactor: false)
}

/// A new, empty folder for one iteration.
func scratchFolder() throws -> String {
  let root = ProcessInfo.processInfo.environment["CHUANDAO_BENCH_DIR"] ?? "/tmp/chuandao-bench"
  let folder = (root as NSString).appendingPathComponent(
    "generate-\(getpid())-\(UUID().uuidString)")
  try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  return folder
}

func bytes(in folder: String) throws -> Int {
  let fm = FileManager.default
  return try fm.contentsOfDirectory(atPath: folder).reduce(0) { total, name in
    let attributes = try fm.attributesOfItem(
      atPath: (folder as NSString).appendingPathComponent(name))
    return total + ((attributes[.size] as? NSNumber)?.intValue ?? 0)
  }
}
