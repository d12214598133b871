// swift-tools-version: 6.1
// The benchmarks of Chuandao, a package of their own so that the main manifest stays lean
// (STYLE.md, "Habits"). Run them from this folder with `swift package benchmark`.
import PackageDescription

import class Foundation.ProcessInfo

// The Chuandao checkout to measure: this repository, or another one (a clean export of a
// commit, say) named by CHUANDAO_PATH.
let chuandaoPath = ProcessInfo.processInfo.environment["CHUANDAO_PATH"] ?? ".."

let package = Package(
  name: "ChuandaoBenchmarks",
  platforms: [.macOS(.v14)],
  dependencies: [
    .package(name: "Chuandao", path: chuandaoPath),
    .package(
      url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
  ],
  targets: [
    // Dataset.load(folder:) end to end on the province preset, UTF-8 and GB18030.
    .executableTarget(
      name: "LoaderBenchmarks",
      dependencies: [
        .product(name: "Chuandao", package: "Chuandao"),
        .product(name: "Benchmark", package: "benchmark"),
      ],
      path: "Benchmarks/LoaderBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ),
    // attenuation and imbalance end to end (load included) on the province preset.
    .executableTarget(
      name: "AnalysisBenchmarks",
      dependencies: [
        .product(name: "Chuandao", package: "Chuandao"),
        .product(name: "Benchmark", package: "benchmark"),
      ],
      path: "Benchmarks/AnalysisBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ),
    // DatasetGenerator.write(to:) on the province preset.
    .executableTarget(
      name: "GeneratorBenchmarks",
      dependencies: [
        .product(name: "Chuandao", package: "Chuandao"),
        .product(name: "Benchmark", package: "benchmark"),
      ],
      path: "Benchmarks/GeneratorBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ),
  ]
)
