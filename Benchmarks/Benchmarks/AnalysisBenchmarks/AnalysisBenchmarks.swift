import Benchmark
import Chuandao
import Foundation

// The analyses end to end on the province preset (200 x 50 x 20, about 210,000 nodes, 3
// periods): load and validate the dataset, then run the analysis on the latest period.
// Issue targets: attenuation under 6 s and 1.5 GiB, imbalance --adjust risk under 8 s,
// coordination and closure under 6 s each; assess with 1000 draws under 15 s and 2 GiB.
// The dataset is made once in $CHUANDAO_BENCH_DIR (default /tmp/chuandao-bench)/
// province-analysis and reused while complete; delete it after changing the generator.

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock, .cpuTotal, .peakMemoryResident],
    timeUnits: .milliseconds,
    units: [.peakMemoryResident: .mega],
    warmupIterations: 1,
    maxDuration: .seconds(90),
    maxIterations: 5,
    thresholds: [
      .wallClock: .init(relative: [.p90: 60.0]),
      .cpuTotal: .init(relative: [.p90: 60.0]),
      .peakMemoryResident: .init(relative: [.p90: 10.0]),
    ]
  )

  Benchmark("attenuation.province.score") { benchmark, folder in
    let d = try Dataset.load(folder: folder)
    let r = AttenuationAnalysis(metric: .score).run(d, period: d.periods.count - 1)
    precondition(r.variance.fit != nil, "no variance components")
    blackHole(r)
  } setup: {
    try provinceFolder()
  }

  Benchmark("coordination.province") { benchmark, folder in
    let d = try Dataset.load(folder: folder)
    let r = CoordinationAnalysis().run(d, period: d.periods.count - 1)
    precondition(!r.nodes.isEmpty, "no nodes")
    blackHole(r)
  } setup: {
    try provinceFolder()
  }

  Benchmark("closure.province") { benchmark, folder in
    let d = try Dataset.load(folder: folder)
    let t = d.periods.count - 1
    let r = ClosureAnalysis(asOf: d.manifest.periodEnd[t]!).run(d, period: t)
    precondition(!r.breaks.unowned.isEmpty, "no breaks")
    blackHole(r)
  } setup: {
    try provinceFolder()
  }

  // Issue #7's target: assess with 1000 draws under 15 s and 2 GiB end to end (the CLI
  // figures in README.md add hashing and output).
  Benchmark("assess.province.1000") { benchmark, folder in
    let d = try Dataset.load(folder: folder)
    let r = AssessAnalysis().run(d, period: d.periods.count - 1)
    precondition(r.nodes.contains { $0.rankMedian != nil }, "no rank uncertainty")
    blackHole(r)
  } setup: {
    try provinceFolder()
  }

  Benchmark("trend.province.score") { benchmark, folder in
    let d = try Dataset.load(folder: folder)
    let r = TrendAnalysis().run(d, through: d.periods.count - 1)
    precondition(!r.series.isEmpty, "no series")
    blackHole(r)
  } setup: {
    try provinceFolder()
  }

  Benchmark("imbalance.province.risk") { benchmark, folder in
    let d = try Dataset.load(folder: folder)
    let r = try ImbalanceAnalysis(level: d.forest.levelCount - 1, adjust: .risk)
      .run(d, period: d.periods.count - 1)
    precondition(r.glm?.converged == true, "the GLM did not converge")
    blackHole(r)
  } setup: {
    try provinceFolder()
  }
}

/// The province dataset, generated once (seed 1) and reused while complete.
func provinceFolder() throws -> String {
  let root = ProcessInfo.processInfo.environment["CHUANDAO_BENCH_DIR"] ?? "/tmp/chuandao-bench"
  let folder = root + "/province-analysis"
  let marker = folder + "/.complete"
  if !FileManager.default.fileExists(atPath: marker) {
    try? FileManager.default.removeItem(atPath: folder)
    _ = try DatasetGenerator(GeneratorSpec.preset(.province, seed: 1)).write(to: folder)
    FileManager.default.createFile(atPath: marker, contents: Data())
  }
  return folder
}
