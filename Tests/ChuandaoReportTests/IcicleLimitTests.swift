import Chuandao
import Foundation
import Testing
import _ChuandaoOutput

@testable import ChuandaoReport

/// The report's icicle goes down level by level while the levels so far hold at most
/// `icicleLimit` nodes, so that a national organisation's icicle is its bureaus, not
/// 200,000 units (report.html stays small).
@Suite struct IcicleLimitTests {
  static func icicle(limit: Int?) throws -> String {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("datasets/sample").path
    let data = try Dataset.load(folder: folder)
    var builder = ReportBuilder(
      dataset: data, settings: Settings(), period: data.manifest.periods.count - 1, lang: .en,
      provenance: Provenance(version: "test", inputs: [], command: "test"), settingsLine: "")
    if let limit { builder.icicleLimit = limit }
    guard case .chart(_, let svg, _) = builder.chart(.icicle) else {
      Issue.record("no icicle")
      return ""
    }
    return svg
  }

  // The sample's latest period has 4 bureaus, 19 units and 77 branches (`chuandao summary`,
  // period 2025): 4 + 19 = 23 nodes down to the units, 100 down to the branches.
  @Test func stopsAtTheDeepestLevelThatFits() throws {
    let all = try Self.icicle(limit: nil)
    let units = try Self.icicle(limit: 23)
    let bureaus = try Self.icicle(limit: 22)
    #expect(all.contains("港航事务中心第4党支部"))
    #expect(!units.contains("港航事务中心第4党支部") && units.contains("港航事务中心") && units.contains("市交通委"))
    #expect(!bureaus.contains("港航事务中心") && bureaus.contains("市交通委"))
    // The top level is drawn whatever the limit.
    #expect(try Self.icicle(limit: 0).contains("市交通委"))
  }
}
