// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "Chuandao",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "chuandao", targets: ["ChuandaoCLI"]),
    .library(name: "Chuandao", targets: ["Chuandao"]),
    .library(name: "ChuandaoStats", targets: ["ChuandaoStats"]),
    .library(name: "ChuandaoLinearAlgebra", targets: ["ChuandaoLinearAlgebra"]),
    .library(name: "ChuandaoReport", targets: ["ChuandaoReport"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
    .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
  ],
  targets: [
    // OpenBLAS (BLAS + LAPACK) from Debian's libopenblas-dev.
    .systemLibrary(
      name: "CBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]
    ),
    // Matrices and the few BLAS/LAPACK calls we need, Swift-typed.
    .target(name: "ChuandaoLinearAlgebra", dependencies: ["CBLAS"]),
    // Distributions, GLM, REML, funnel limits, inequality, trend tests: no organisations.
    .target(name: "_ChuandaoParallel"),
    .target(name: "ChuandaoStats", dependencies: ["ChuandaoLinearAlgebra", "_ChuandaoParallel"]),
    // MARK: - Implementation details
    // Byte-level RFC 4180 CSV reading and writing, encoding detection, GB18030 via iconv.
    .target(name: "_ChuandaoCSV"),
    // JSON writer, terminal tables, atomic file writes, SHA-256 of files.
    .target(
      name: "_ChuandaoOutput",
      dependencies: ["_ChuandaoParallel", .product(name: "Crypto", package: "swift-crypto")]
    ),
    // zlib's inflate (Debian's zlib1g-dev), for reading workbook parts with bounds of our own.
    .systemLibrary(name: "CZlibInflate", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    // Excel workbooks: the zip container (ZIPFoundation), a streaming XML scanner, sheets as
    // CSV-like records for the loader, and the writer of tables as .xlsx.
    .target(
      name: "_ChuandaoXLSX",
      dependencies: [
        "_ChuandaoCSV", "_ChuandaoOutput", "_ChuandaoParallel", "CZlibInflate",
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
      ]
    ),
    // MARK: - Public modules
    // The domain: hierarchy, dataset loading and validation, analyses, provenance.
    .target(
      name: "Chuandao",
      dependencies: [
        "ChuandaoStats",
        "ChuandaoLinearAlgebra",
        "_ChuandaoCSV",
        "_ChuandaoOutput",
        "_ChuandaoParallel",
        "_ChuandaoXLSX",
        .product(name: "Yams", package: "Yams"),
      ]
    ),
    // The history store: deliveries by period and revision, the organisation's history,
    // published assessments and overrides, in SQLite (GRDB) behind the `StoreDatabase`
    // protocol (docs/store.md).
    .target(
      name: "ChuandaoStore",
      dependencies: [
        "Chuandao",
        "_ChuandaoCSV",
        "_ChuandaoOutput",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
      ]
    ),
    // Results as documents rendered for the terminal, Markdown and HTML; SVG charts.
    .target(name: "ChuandaoReport", dependencies: ["Chuandao", "ChuandaoStats", "_ChuandaoOutput", "_ChuandaoParallel", "_ChuandaoXLSX"]),
    // The `chuandao` executable: argument parsing, calling the library, printing.
    .executableTarget(
      name: "ChuandaoCLI",
      dependencies: [
        "Chuandao",
        "ChuandaoReport",
        "ChuandaoStore",
        "_ChuandaoOutput",
        "_ChuandaoXLSX",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(name: "ChuandaoLinearAlgebraTests", dependencies: ["ChuandaoLinearAlgebra"]),
    .testTarget(name: "ChuandaoParallelTests", dependencies: ["_ChuandaoParallel"]),
    .testTarget(
      name: "ChuandaoStatsTests",
      dependencies: ["ChuandaoStats"],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(
      name: "ChuandaoCSVTests",
      dependencies: ["_ChuandaoCSV", "ChuandaoStats"],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(name: "ChuandaoOutputTests", dependencies: ["_ChuandaoOutput", "ChuandaoStats"]),
    .testTarget(
      name: "ChuandaoTests",
      dependencies: ["Chuandao", "_ChuandaoOutput"],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(
      name: "ChuandaoCLITests",
      dependencies: ["Chuandao", "ChuandaoCLI", "_ChuandaoOutput"],
      resources: [.copy("Fixtures"), .copy("Golden")]
    ),
    .testTarget(
      name: "ChuandaoStoreTests",
      dependencies: ["ChuandaoStore", "Chuandao", "ChuandaoCLI", "_ChuandaoOutput", "_ChuandaoCSV"]
    ),
    .testTarget(name: "ChuandaoReportTests", dependencies: ["ChuandaoReport"], resources: [.copy("Golden")]),
    .testTarget(
      name: "ChuandaoXLSXTests",
      dependencies: [
        "_ChuandaoXLSX", "Chuandao", "ChuandaoReport", "_ChuandaoCSV", "_ChuandaoOutput",
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
      ],
      resources: [.copy("Fixtures")]
    ),
  ]
)
