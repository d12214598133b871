import ChuandaoStats
import Foundation
import Testing

@testable import Chuandao

/// Gaps in the coordination tests (METHODS.md section 4): the per-level Pearson correlation
/// matrix of the subjects, against numpy.
@Suite("Coordination gaps (METHODS.md section 4)")
struct CoordinationGapTests {
  /// Fixture: Tests/Fixtures-scripts/analyses/coordination_correlation.py. It holds the
  /// dataset (two bureaus, three units, six branches, four subjects with gaps) and, per
  /// level, the pairwise-complete Pearson matrix computed with numpy's corrcoef (and checked
  /// there against pandas' DataFrame.corr). Null where a pair has fewer than 2 nodes or a
  /// subject no variance: the bureaus' committee scores are both 90; at the unit level only
  /// committee-secretary (+1) and committee-commission (-1) have two nodes, and members
  /// has one node (even its diagonal is null).
  static func fixture() throws -> JSON {
    try JSON.parse(contentsOfFile: Fixtures.root.appendingPathComponent("analyses/coordination_correlation.json").path)
  }

  @Test("per-level correlation matrices equal numpy's, nulls included")
  func correlationMatrix() throws {
    let fx = try Self.fixture()
    let ds = try TempDataset([
      "dataset.yaml": try #require(fx["dataset_yaml"]?.stringValue),
      "org.csv": try #require(fx["org_csv"]?.stringValue),
      "scores.csv": try #require(fx["scores_csv"]?.stringValue),
    ], base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    #expect(d.manifest.subjects == (fx["subjects"]?.arrayValue ?? []).compactMap(\.stringValue))
    let r = CoordinationAnalysis().run(d, period: 0)
    let levels = try #require(fx["levels"]?.arrayValue)
    try #require(levels.count == 3 && r.levels.count == 3)
    var numbers = 0
    var nulls = 0
    for (k, level) in levels.enumerated() {
      let name = level["level"]!.stringValue!
      #expect(d.forest.levelNames[k] == name)
      let want = try #require(level["correlation"]?.arrayValue)
      let got = r.levels[k].correlation
      try #require(got.count == 4)
      for a in 0..<4 {
        for b in 0..<4 {
          let w = want[a].arrayValue![b]
          if w.isNull {
            #expect(got[a][b] == nil, "\(name) [\(a)][\(b)]: \(String(describing: got[a][b])) should be null")
            nulls += 1
          } else {
            let x = try #require(got[a][b], "\(name) [\(a)][\(b)] is null, numpy \(w)")
            #expect(abs(x - w.doubleValue!) < 1e-12, "\(name) [\(a)][\(b)]: \(x) vs numpy \(w)")
            numbers += 1
          }
        }
      }
    }
    // Both kinds of entries were compared (the fixture has 32 numbers and 16 nulls).
    #expect(numbers == 32 && nulls == 16)
  }

  @Test("the matrix is symmetric and its off-diagonal signs are those of the data")
  func signs() throws {
    // Branch level, by hand from the fixture's scores: secretary and members over Z1, Z2,
    // Z3, Z5 (90/60, 72/65, 85/75, 80/90): sxy = (90-81.75)(60-72.5) + (72-81.75)(65-72.5)
    // + (85-81.75)(75-72.5) + (80-81.75)(90-72.5) = -103.125 + 73.125 + 8.125 - 30.625 =
    // -52.5 < 0: negative. Committee-secretary over Z1..Z5 rises together: positive.
    let fx = try Self.fixture()
    let ds = try TempDataset([
      "dataset.yaml": fx["dataset_yaml"]!.stringValue!, "org.csv": fx["org_csv"]!.stringValue!,
      "scores.csv": fx["scores_csv"]!.stringValue!,
    ], base: nil)
    defer { ds.cleanUp() }
    let r = CoordinationAnalysis().run(try Dataset.load(folder: ds.folder), period: 0)
    let m = r.levels[2].correlation
    for a in 0..<4 { for b in 0..<4 { #expect(m[a][b] == m[b][a]) } }
    #expect((m[1][3] ?? 0) < 0)
    #expect((m[0][1] ?? 0) > 0)
    // Unit level: committee-commission falls (U1 88/70, U3 60/75): -1.
    #expect(abs((r.levels[1].correlation[0][2] ?? 0) + 1) < 1e-12)
  }
}
