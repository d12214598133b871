import Foundation
import Testing

@testable import Chuandao

/// The reference of Tests/Fixtures-scripts/cli/imbalance_limits.py: expected counts from
/// statsmodels' Poisson GLM (or members x rate), phi, tau2 and the exact Poisson or
/// negative-binomial limits from numpy and scipy, for a dataset with planted
/// overdispersion that the script wrote itself and for datasets/sample.
struct ImbalanceLimitsFixture: Decodable {
  struct Node: Decodable {
    let id: String
    let observed: Double
    let expected: Double
    let lower998: Double
    let lower95: Double
    let upper95: Double
    let upper998: Double
    let p: Double
    let q: Double
  }
  struct Case: Decodable, CustomTestStringConvertible {
    let name: String
    let dataset: String
    let period: String
    let level: String
    let adjust: String
    let dispersion: String
    let phi: Double
    let tau2: Double?
    let nodes: [Node]
    var testDescription: String { name }
  }
  let cases: [Case]

  static let shared: ImbalanceLimitsFixture = {
    let url = CLI.repository.appendingPathComponent("Tests/ChuandaoCLITests/Fixtures/imbalance_limits.json")
    do {
      return try JSONDecoder().decode(ImbalanceLimitsFixture.self, from: Data(contentsOf: url))
    } catch {
      fatalError("\(url.path): \(error)")
    }
  }()
}

@Suite("imbalance end to end: limits, p- and q-values against pandas, statsmodels and scipy")
struct ImbalanceLimitsTests {
  /// |actual - expected| <= 1e-6 |expected| (a limit of 0 must be 0 to 1e-12).
  static func close(_ actual: Double?, _ expected: Double) -> Bool {
    guard let actual else { return false }
    return abs(actual - expected) <= 1e-6 * abs(expected) + 1e-12
  }

  @Test("expected counts, phi, tau2, every limit, p and q to 1e-6 relative", arguments: ImbalanceLimitsFixture.shared.cases)
  func limits(reference: ImbalanceLimitsFixture.Case) throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try "imbalance: {dispersion: \(reference.dispersion)}\n".write(
      toFile: dir + "/settings.yaml", atomically: true, encoding: .utf8)
    let r = try CLI.run([
      "imbalance", CLI.repository.appendingPathComponent(reference.dataset).path,
      "--period", reference.period, "--level", reference.level, "--adjust", reference.adjust,
      "--config", dir + "/settings.yaml", "--format", "json",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let doc = try JSON.parse(r.out)
    #expect(doc["dispersion"]?.stringValue == reference.dispersion)
    #expect(Self.close(doc["phi"]?.doubleValue, reference.phi), "phi \(String(describing: doc["phi"]))")
    if let tau2 = reference.tau2 {
      #expect(doc["overdispersed"]?.boolValue == true)
      #expect(Self.close(doc["tau2"]?.doubleValue, tau2), "tau2 \(String(describing: doc["tau2"]))")
    } else {
      #expect(doc["overdispersed"]?.boolValue == false && doc["tau2"] == .null)
    }
    let nodes = try #require(doc["nodes"]?.arrayValue)
    #expect(nodes.map { $0["id"]?.stringValue } == reference.nodes.map(\.id))
    for (node, expected) in zip(nodes, reference.nodes) {
      #expect(node["observed"]?.doubleValue == expected.observed, "\(expected.id)")
      #expect(Self.close(node["expected"]?.doubleValue, expected.expected), "\(expected.id) expected")
      for (key, value) in [
        ("lower998", expected.lower998), ("lower95", expected.lower95),
        ("upper95", expected.upper95), ("upper998", expected.upper998),
        ("p", expected.p), ("q", expected.q),
      ] {
        #expect(
          Self.close(node[key]?.doubleValue, value),
          "\(expected.id) \(key): \(String(describing: node[key])) vs \(value)")
      }
    }
  }

  @Test("the planted overdispersion is found and about 5% of its nodes fall outside the 95% limits")
  func plantedOverdispersion() throws {
    // 360 branches, gamma-Poisson with 1/k = 0.3 around a risk-dependent mean
    // (imbalance_limits.py); no node is planted cold or hot.
    let folder = CLI.repository.appendingPathComponent("Tests/ChuandaoCLITests/Fixtures/overdispersed").path
    let r = try CLI.run(["imbalance", folder, "--format", "json"])
    #expect(r.status == 0, "\(r.stderr)")
    let doc = try JSON.parse(r.out)
    #expect(doc["adjust"]?.stringValue == "risk" && doc["overdispersed"]?.boolValue == true)
    // On the square-root scale a gamma mixing variance 0.3 is about 0.3/4 = 0.075.
    let tau2 = try #require(doc["tau2"]?.doubleValue)
    #expect(tau2 > 0.05 && tau2 < 0.1, "tau2 \(tau2)")
    let flags = try #require(doc["nodes"]?.arrayValue).compactMap { $0["flag"]?.stringValue }
    let outside = Double(flags.filter { $0 != "normal" }.count) / Double(flags.count)
    #expect(outside > 0.01 && outside < 0.1, "\(outside) outside the 95% limits")
  }
}
