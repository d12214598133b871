import Testing

@testable import Chuandao

@Suite("Settings (METHODS.md section 8)")
struct SettingsTests {
  @Test("the defaults are METHODS.md's")
  func defaults() throws {
    let s = try Settings.parse(yaml: "", file: "empty.yaml")
    #expect(s.attenuation.flagZ == 2)
    #expect(s.imbalance.blindSpot == 0.5)
    #expect(s.imbalance.dispersion == .consistent)
    #expect(s.coordination.siloGap == 10)
    #expect(s.trend.alpha == 0.10)
    #expect(s.trend.persistentOfLast == 3 && s.trend.persistentAtLeast == 2)
    #expect(s.assess.weights == [0.4, 0.2, 0.15, 0.15, 0.1])
    #expect(s.assess.grades == [0.15, 0.85, 0.95])
    #expect(s.assess.leaderOwn == 0.5 && s.assess.leaderOversees == 0.5)
    #expect(s.assess.draws == 1000 && s.assess.concentration == 50 && s.assess.seed == 1)
    #expect(s.assess.goalposts.isEmpty)
  }

  @Test("keys given override the defaults key by key")
  func overrides() throws {
    let s = try Settings.parse(yaml: """
      coordination: {silo_gap: 12.5}
      imbalance: {dispersion: spiegelhalter}
      trend: {persistent: {at_least: 3}}
      assess:
        weights: {closure: 0.3}
        uncertainty: {seed: 42}
        goalposts: {branch: {score: [60, 100]}}
      """, file: "c.yaml")
    #expect(s.coordination.siloGap == 12.5)
    #expect(s.imbalance.dispersion == .spiegelhalter && s.imbalance.blindSpot == 0.5)
    #expect(s.trend.persistentAtLeast == 3 && s.trend.persistentOfLast == 3)
    #expect(s.assess.weights == [0.4, 0.2, 0.15, 0.3, 0.1])
    #expect(s.assess.seed == 42 && s.assess.draws == 1000)
    #expect(s.assess.goalposts["branch"]?["score"] == Settings.Goalpost(min: 60, max: 100))
    #expect(s.attenuation.flagZ == 2)
  }

  @Test("an unknown key, a wrong type or a negative weight is an error naming the key",
        arguments: [
          ("imbalance: {blind_spots: 0.4}", "c.yaml:1: error: unknown key 'imbalance.blind_spots'"),
          ("assess: &a {uncertainty: {draws: 0}}\ntrend: *a", "c.yaml:1: error: YAML anchors and aliases are not allowed (&a): write the value out"),
          ("imbalance: {blind_spot: 0.4}\nimbalance: {blind_spot: 0.3}", "c.yaml:2: error: not valid YAML: the key 'imbalance' appears more than once in one mapping"),
          ("imbalance:\n  dispersion: classic", "c.yaml:2: error: 'imbalance.dispersion' must be one of consistent, spiegelhalter, found 'classic'"),
          ("imbalance: {dispersion: [consistent]}", "c.yaml:1: error: 'imbalance.dispersion' must be one of consistent, spiegelhalter, found '(not a scalar)'"),
          ("report: {}", "c.yaml:1: error: unknown key 'report'"),
          ("attenuation:\n  flag_z: two", "c.yaml:2: error: 'attenuation.flag_z' must be a number, found 'two'"),
          ("attenuation: {flag_z: \"2\"}", "c.yaml:1: error: 'attenuation.flag_z' must be a number, found '2'"),
          ("assess:\n  weights:\n    score: -0.1", "c.yaml:3: error: 'assess.weights.score' must be >= 0, found -0.1"),
          ("assess: {uncertainty: {draws: 1.5}}", "c.yaml:1: error: 'assess.uncertainty.draws' must be a whole number, found '1.5'"),
          ("assess: {goalposts: {branch: {score: [100, 60]}}}", "c.yaml:1: error: 'assess.goalposts.branch.score': min must be below max"),
        ])
  func errors(_ yaml: String, _ expected: String) {
    #expect(throws: SettingsError.self) { try Settings.parse(yaml: yaml, file: "c.yaml") }
    do {
      _ = try Settings.parse(yaml: yaml, file: "c.yaml")
    } catch {
      #expect(error.formatted(.en).hasPrefix(expected), "\(error.formatted(.en))")
    }
  }
}
