import Foundation
import Testing

@testable import Chuandao

/// A dataset folder written into a fresh temporary directory for one test.
struct TempDataset {
  let folder: String

  /// The minimal valid dataset the bad-input tests start from. Lines are numbered in the
  /// comments so that expected `FILE:LINE`s can be read off.
  static let base: [String: String] = [
    "dataset.yaml": """
      name: tiny
      periods: ["2024", "2025"]
      period_end: {"2024": 2024-12-31, "2025": 2025-12-31}

      """,
    // line 1 header; 2 B1; 3 U1; 4 U2; 5 Z1; 6 Z2; 7 Z3
    "org.csv": """
      id,parent,level,name,members
      B1,,bureau,市水务局,10
      U1,B1,unit,水文总站,20
      U2,B1,unit,堤防处,15
      Z1,U1,branch,第一支部,8
      Z2,U1,branch,第二支部,9
      Z3,U2,branch,第三支部,7

      """,
    "scores.csv": """
      period,node,subject,score
      2025,B1,committee,90
      2025,U1,committee,80
      2025,U2,committee,85
      2025,Z1,committee,70
      2025,Z2,committee,75
      2025,Z3,committee,72
      2024,B1,committee,90
      2024,U1,committee,80
      2024,U2,committee,85
      2024,Z1,committee,70
      2024,Z2,committee,75
      2024,Z3,committee,72

      """,
  ]

  init(_ files: [String: String], base: [String: String]? = TempDataset.base) throws {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("chuandao-test-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    folder = dir
    var all = base ?? [:]
    for (k, v) in files { all[k] = v }
    for (name, text) in all where !text.isEmpty || files[name] != nil {
      try Data(text.utf8).write(to: URL(fileURLWithPath: dir).appendingPathComponent(name))
    }
  }

  /// Writes raw bytes (for encodings and fuzzing).
  func write(_ name: String, bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: folder).appendingPathComponent(name))
  }

  func remove(_ name: String) throws {
    try FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(name))
  }

  /// Every diagnostic as `FILE:LINE: error|warning: message` (English).
  func diagnostics() -> [String] {
    Dataset.validate(folder: folder).1.items.map { $0.formatted(.en) }
  }

  func cleanUp() { try? FileManager.default.removeItem(atPath: folder) }
}

/// The source folder of the test target's fixtures.
enum Fixtures {
  static var root: URL { Bundle.module.resourceURL!.appendingPathComponent("Fixtures") }
  static var repository: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
  }
}
