import ChuandaoStats
import Foundation
import Testing

@testable import Chuandao

/// Gaps in the imbalance tests (METHODS.md section 3): the paths where the risk GLM drops
/// its risk term or a domain, and a level without any node to analyse.
@Suite("Imbalance gaps (METHODS.md section 3)")
struct ImbalanceGapTests {
  static let riskDroppedNote =
    "risk is constant within every domain, so its coefficient is not identified: the risk term is dropped (the adjustment is by domain and members only)"
  static func domainDroppedNote(_ name: String) -> String {
    "domain '\(name)' has no supervision at all in the level: left out of the model (expected 0, coefficient null); it is a blind spot, not an error"
  }

  static func close(_ a: Double?, _ b: Double, _ tol: Double = 1e-9) -> Bool {
    a.map { abs($0 - b) <= tol * max(1, abs(b)) } ?? false
  }

  /// Three branches Z1, Z2, Z3 with 10, 20, 30 members (M = 60) and counts
  ///            finance  assets  (engineering, when listed: none)
  ///   Z1          3        1
  ///   Z2          2        5
  ///   Z3          7       12
  ///   total      12       18     = 30
  /// Risk: finance 2 and assets 0.5 for every branch, so constant within each domain.
  ///
  /// By hand: without the risk term the model is log mu_id = ln m_i + alpha_d, whose
  /// likelihood equations are sum_i y_id = exp(alpha_d) sum_i m_i, so exp(alpha_finance) =
  /// 12/60 = 0.2, exp(alpha_assets) = 18/60 = 0.3: alpha = ln 0.2 = -1.6094379124341003,
  /// ln 0.3 = -1.2039728043259361. mu_id = m_i x 0.2 (finance), m_i x 0.3 (assets):
  ///   Z1 2, 3 (E 5); Z2 4, 6 (E 10); Z3 6, 9 (E 15).
  /// Ratios O/E: 4/5 = 0.8, 7/10 = 0.7, 19/15. Deviance 2 sum [y ln(y/mu) - (y - mu)] over
  /// the six cells = 4.702241037557798 (a calculator).
  /// Domain shares: supervision finance 12/30 = 0.4, assets 0.6; risk finance 60 x 2 = 120,
  /// assets 60 x 0.5 = 30, shares 0.8 and 0.2; coverage 0.4/0.8 = 0.5 (exactly the
  /// threshold: not a blind spot, the rule is coverage < 0.5) and 0.6/0.2 = 3.
  static func files(domains: [String]) -> [String: String] {
    [
      "dataset.yaml": "periods: [\"2025\"]\ndomains: [\(domains.joined(separator: ", "))]\n",
      "org.csv": """
        id,parent,level,name,members
        B1,,bureau,局,10
        U1,B1,unit,单位,10
        Z1,U1,branch,支部一,10
        Z2,U1,branch,支部二,20
        Z3,U1,branch,支部三,30

        """,
      "supervision.csv": """
        period,node,kind,domain,count
        2025,Z1,reminder,finance,3
        2025,Z1,inspection,assets,1
        2025,Z2,reminder,finance,2
        2025,Z2,interview,assets,5
        2025,Z3,case,finance,7
        2025,Z3,inspection,assets,12

        """,
      "risks.csv": """
        period,node,domain,risk
        2025,Z1,finance,2
        2025,Z2,finance,2
        2025,Z3,finance,2
        2025,Z1,assets,0.5
        2025,Z2,assets,0.5
        2025,Z3,assets,0.5

        """,
    ]
  }

  @Test("risk constant within every domain: the risk term is dropped, E is the domain-by-members fit")
  func riskDropped() throws {
    let ds = try TempDataset(Self.files(domains: ["finance", "assets"]), base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    #expect(ImbalanceAnalysis.defaultAdjustment(d) == .risk)
    let r = try ImbalanceAnalysis(level: 2, adjust: .risk).run(d, period: 0)
    let glm = try #require(r.glm)
    #expect(glm.riskDropped)
    #expect(glm.converged)
    #expect(glm.coefficients.map(\.0) == ["finance", "assets"])
    #expect(Self.close(glm.coefficients[0].1, -1.6094379124341003))
    #expect(Self.close(glm.coefficients[1].1, -1.2039728043259361))
    #expect(Self.close(glm.deviance, 4.702241037557798))
    #expect(r.notes.map(\.en) == [Self.riskDroppedNote])
    #expect(r.observed == [4, 7, 19])
    try #require(r.expected.count == 3)
    for (e, want) in zip(r.expected, [5.0, 10, 15]) { #expect(Self.close(e, want), "\(r.expected)") }
    for (e, want) in zip(r.expectedByDomain, [2.0, 3, 4, 6, 6, 9]) { #expect(Self.close(e, want), "\(r.expectedByDomain)") }
    for (x, want) in zip(r.funnel.ratio, [0.8, 0.7, 19.0 / 15]) { #expect(Self.close(x, want)) }
    // The same totals as --adjust none here (the risk term is gone and the domains add up).
    let none = try ImbalanceAnalysis(level: 2, adjust: .none).run(d, period: 0)
    #expect(zip(none.expected, r.expected).allSatisfy { Self.close($0, $1) })
    // Coverage exactly at the threshold is not a blind spot.
    #expect(Self.close(r.domains[0].riskShare, 0.8) && Self.close(r.domains[0].coverage, 0.5))
    #expect(!r.domains[0].blindSpot)
    #expect(Self.close(r.domains[1].coverage, 3) && !r.domains[1].blindSpot)
  }

  @Test("a domain without any supervision is left out: coefficient null, expected 0, a note")
  func domainDropped() throws {
    // The same data with a third domain, engineering, that no branch was supervised in
    // (and has no risk rows: risk 1, constant). By hand: engineering is left out; the
    // other two as in riskDropped (alpha ln 0.2, ln 0.3; E 5, 10, 15); engineering's
    // expected count 0 for every branch; both notes, the domain's first.
    let ds = try TempDataset(Self.files(domains: ["finance", "assets", "engineering"]), base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let r = try ImbalanceAnalysis(level: 2, adjust: .risk).run(d, period: 0)
    let glm = try #require(r.glm)
    #expect(glm.coefficients.map(\.0) == ["finance", "assets", "engineering"])
    #expect(glm.coefficients[2].1 == nil)
    #expect(Self.close(glm.coefficients[0].1, -1.6094379124341003))
    #expect(Self.close(glm.coefficients[1].1, -1.2039728043259361))
    #expect(glm.riskDropped)
    #expect(r.notes.map(\.en) == [Self.domainDroppedNote("engineering"), Self.riskDroppedNote])
    for (e, want) in zip(r.expected, [5.0, 10, 15]) { #expect(Self.close(e, want), "\(r.expected)") }
    for (e, want) in zip(r.expectedByDomain, [2.0, 3, 0, 4, 6, 0, 6, 9, 0]) { #expect(Self.close(e, want), "\(r.expectedByDomain)") }
    // The dropped domain is a blind spot in the coverage table (supervision share 0).
    #expect(r.domains[2].supervisionShare == 0 && r.domains[2].blindSpot)
  }

  @Test("a dropped domain beside a risk term that varies: the fit equals statsmodels on the kept rows")
  func domainDroppedWithRisk() throws {
    // Fixture: Tests/Fixtures-scripts/analyses/imbalance_dropped_domain.py (statsmodels GLM
    // Poisson with offset log(members), dummies for the two supervised domains and risk).
    let fx = try JSON.parse(contentsOfFile: Fixtures.root.appendingPathComponent("analyses/imbalance_dropped_domain.json").path)
    let ds = try TempDataset([
      "dataset.yaml": try #require(fx["dataset_yaml"]?.stringValue),
      "org.csv": try #require(fx["org_csv"]?.stringValue),
      "supervision.csv": try #require(fx["supervision_csv"]?.stringValue),
      "risks.csv": try #require(fx["risks_csv"]?.stringValue),
    ], base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    let r = try ImbalanceAnalysis(level: 2, adjust: .risk).run(d, period: 0)
    let glm = try #require(r.glm)
    #expect(!glm.riskDropped && glm.converged)
    #expect(glm.coefficients.map(\.0) == ["finance", "assets", "engineering", "risk"])
    let coef = try #require(fx["coefficients"])
    for (name, value) in glm.coefficients {
      if coef[name]!.isNull {
        #expect(value == nil, "\(name)")
      } else {
        #expect(Self.close(value, coef[name]!.doubleValue!, 1e-7), "\(name): \(String(describing: value)) vs \(coef[name]!)")
      }
    }
    #expect(Self.close(glm.deviance, fx["deviance"]!.doubleValue!, 1e-7))
    #expect(r.notes.map(\.en) == [Self.domainDroppedNote("engineering")])
    let ids = try #require(fx["branches"]?.arrayValue).map { $0.stringValue! }
    let expected = try #require(fx["expected"]?.arrayValue)
    let byDomain = try #require(fx["expected_by_domain"]?.arrayValue)
    try #require(r.nodes.map { d.forest.ids[$0] } == ids)
    for (row, id) in ids.enumerated() {
      #expect(Self.close(r.expected[row], expected[row].doubleValue!, 1e-7), "\(id)")
      for dd in 0..<3 {
        #expect(Self.close(r.expectedByDomain[row * 3 + dd], byDomain[row].arrayValue![dd].doubleValue!, 1e-7), "\(id) domain \(dd)")
      }
    }
  }

  /// A level whose every node has zero members (or does not exist in the period) has no
  /// node to analyse: `ImbalanceError.noNodes`, and the period flags say so.
  @Test("no node with members > 0 in the level: ImbalanceError.noNodes", arguments: ["zero members", "members.csv 0", "ended"])
  func noNodes(_ how: String) throws {
    var org = """
      id,parent,level,name,members,valid_to
      B1,,bureau,局,10,
      U1,B1,unit,单位,10,
      Z1,U1,branch,支部一,\(how == "zero members" ? 0 : 8),\(how == "ended" ? "2024" : "")
      Z2,U1,branch,支部二,\(how == "zero members" ? 0 : 9),\(how == "ended" ? "2024" : "")

      """
    org = org.replacingOccurrences(of: "\n\n", with: "\n")
    var files: [String: String] = [
      "dataset.yaml": "periods: [\"2024\", \"2025\"]\n",
      "org.csv": org,
      "supervision.csv": "period,node,kind,domain,count\n2025,U1,reminder,finance,4\n2024,U1,reminder,finance,4\n",
    ]
    if how == "members.csv 0" { files["members.csv"] = "period,node,members\n2025,Z1,0\n2025,Z2,0\n" }
    let ds = try TempDataset(files, base: nil)
    defer { ds.cleanUp() }
    let d = try Dataset.load(folder: ds.folder)
    #expect(throws: ImbalanceError.noNodes) { try ImbalanceAnalysis(level: 2, adjust: .none).run(d, period: 1) }
    // The unit level of the same period is fine.
    #expect(try ImbalanceAnalysis(level: 1, adjust: .none).run(d, period: 1).nodes.count == 1)
    let flags = PeriodFlags.compute(d, levels: [2])
    #expect(flags.notes.map(\.en).contains("level branch has no node with members > 0 in period 2025: none flagged"), "\(flags.notes.map(\.en))")
  }
}
