import Foundation
import Testing

@testable import ChuandaoReport

@Suite("Charts")
struct GoldenTests {
  @Test(arguments: Samples.names)
  func matchesGolden(name: String) throws {
    try Golden.check(Samples.render(name), name: name)
  }

  @Test(arguments: Samples.names)
  func isDeterministic(name: String) {
    #expect(Samples.render(name) == Samples.render(name))
  }

  @Test(arguments: Samples.names)
  func isWellFormed(name: String) throws {
    let svg = Samples.render(name)
    let (parsed, error) = SVGCheck.parse(svg)
    let check = try #require(parsed, "\(name).svg does not parse: \(error ?? "")")
    #expect(check.rootName == "svg")
    #expect(check.rootAttributes["viewBox"]?.hasPrefix("0 0 ") == true)
    #expect(check.rootAttributes["width"] == "100%")
    #expect(check.rootAttributes["font-family"]?.hasPrefix("'Noto Sans CJK SC'") == true)
    #expect(check.topLevelTitle && check.topLevelDesc)
    #expect(check.marks > 0)
    #expect(
      check.marksWithTitle == check.marks,
      "\(check.marks - check.marksWithTitle) marks without <title>")
    #expect(check.texts > 0)
  }

  @Test func funnelMarksEveryNodeAndNamesColdAndHot() throws {
    let f = Samples.funnel()
    let svg = f.svg()
    let (parsed, _) = SVGCheck.parse(svg)
    let check = try #require(parsed)
    // 24 nodes + 5 legend swatches.
    #expect(check.marks == 24 + 5)
    #expect(svg.contains("B3-U1 Station &amp; &lt;Lab&gt;"))
    // Cold and hot nodes are named on the plot (as <text>, not only in tooltips).
    for i in f.names.indices where f.flags[i] == .cold || f.flags[i] == .hot {
      let escaped = ChuandaoReport.xmlEscape(f.names[i])
      #expect(svg.contains(">\(escaped)</text>"), "\(f.names[i]) not labelled")
    }
    #expect(
      f.flags.contains(.cold) && f.flags.contains(.hot) && f.flags.contains(.cool)
        && f.flags.contains(.warm))
    // The dashed second set is there.
    #expect(svg.contains("stroke-dasharray=\"4 3\""))
  }

  @Test func densityKeepsTheFileSmall() throws {
    let f = Samples.funnelDensity()
    let svg = f.svg()
    let flagged = f.flags.filter { $0 != .normal }.count
    let (parsed, _) = SVGCheck.parse(svg)
    let check = try #require(parsed)
    // Marks: the flagged nodes, at most 48 × 30 cells, 5 legend swatches.
    #expect(check.marks <= flagged + 48 * 30 + 5)
    #expect(!svg.contains("branch-0 (normal"))
    #expect(svg.utf8.count < 400_000)
  }

  @Test func icicleWidthsFollowMembers() {
    // Two top nodes: A with 1 member and a child of 3, B with 4 members: A and B equally wide.
    let chart = Icicle(
      labels: .init(title: "t", description: "d", legend: ""), names: ["A", "B", "a"],
      parents: [nil, nil, 0],
      values: [0, 0, 0], sizing: .members([1, 4, 3]), width: 224)
    let svg = chart.svg()
    // Plot from x = 12 to 212: A 0...100, B 100...200, a under A 12...87.
    #expect(svg.contains("<rect class=\"mark\" x=\"12\" y=\"40\" width=\"100\""))
    #expect(svg.contains("<rect class=\"mark\" x=\"112\" y=\"40\" width=\"100\""))
    #expect(svg.contains("<rect class=\"mark\" x=\"12\" y=\"76\" width=\"75\""))
  }

  @Test func domainCoverageMarksBlindSpots() {
    let svg = Samples.domainCoverage().svg()
    // 政府采购 0.08 / 0.21 = 0.38 and 执法监督 0.06 / 0.14 = 0.43 are below 0.5.
    #expect(svg.contains(">0.38  盲区</text>"))
    #expect(svg.contains(">0.43  盲区</text>"))
    #expect(svg.components(separatedBy: "盲区</text>").count - 1 == 2)
  }

  @Test func closureFunnelStatesCountsAndShares() {
    let svg = Samples.closureFunnel().svg()
    #expect(svg.contains(">120 (100.0%)</text>"))
    #expect(svg.contains(">71 (59.2%)</text>"))
  }

  @Test func ladderStatesEndRetention() {
    let svg = Samples.ladder().svg()
    #expect(svg.contains(">端到端保留率 R = 0.841</text>"))
  }
}
