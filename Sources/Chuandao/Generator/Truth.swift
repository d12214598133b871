import _ChuandaoOutput

/// What the generator planted, written as `truth.json` (schema in docs/truth-json.md).
struct TruthRecorder {
  struct Group {
    struct Step {
      var step: Int
      var parents: Int
      var children: Int
      var scoreTau: Double
      var scoreTolerance: Double
      var intensityTau: Double
      var intensityTolerance: Double
    }
    var id: String
    var name: String
    var worst: Bool
    var steps: [Step]
  }
  struct Lists {
    var unowned: [String] = []
    var unplanned: [String] = []
    var overdue: [String] = []
    var late: [String] = []
    var onTime: [String] = []
    var openNotDue: [String] = []
    var droppedProjects: [String] = []
  }

  var levels: [String] = []
  var periods: [String] = [] {
    didSet { lists = Array(repeating: Lists(), count: periods.count) }
  }
  var groups: [Group] = []
  var cold: [(String, Int, [Int])] = []
  var hot: [(String, Int, [Int])] = []
  var silo: [(String, Int, Int)] = []
  var lowEarly: [(String, Int)] = []
  var rising: [String] = []
  var falling: [String] = []
  var noSupervision: [String] = []
  var zeroMembers: [String] = []
  var quotedNames: [String] = []
  var reorganisations: [([String], String, String)] = []
  var lists: [Lists] = []
  var leaders: [(Int, String, String, [String])] = []

  func json(spec: GeneratorSpec, manifest: Manifest) -> JSON {
    let subjects = manifest.subjects
    func ids(_ a: [String]) -> JSON { .array(a.map { .string($0) }) }
    func flagged(_ a: [(String, Int, [Int])]) -> JSON {
      .array(a.map { (id, level, ps) in
        .object(["id": .string(id), "level": .string(levels[level]), "periods": ids(ps.map { periods[$0] })])
      })
    }
    let persistent = cold.filter { $0.2.count >= 2 }.map(\.0)
    var listsJSON = JSONObject()
    for (t, l) in lists.enumerated() {
      listsJSON[periods[t]] = .object([
        "unowned": ids(l.unowned), "unplanned": ids(l.unplanned), "overdue": ids(l.overdue),
        "late": ids(l.late), "on_time": ids(l.onTime), "open_not_due": ids(l.openNotDue),
        "dropped_projects": ids(l.droppedProjects),
      ])
    }
    func stepsJSON(_ g: Group, score: Bool) -> JSON {
      .array(g.steps.map { s in
        .object([
          "from": .string(levels[s.step - 1]), "to": .string(levels[s.step]),
          "parents": .int(s.parents), "children": .int(s.children),
          "tau": JSON(score ? s.scoreTau : s.intensityTau),
          "tolerance": JSON(score ? s.scoreTolerance : s.intensityTolerance),
        ])
      })
    }
    func groupsJSON(score: Bool) -> JSON {
      .array(groups.map { g in
        let retention = g.steps.reduce(1.0) { $0 * (score ? $1.scoreTau : $1.intensityTau) }
        return .object([
          "id": .string(g.id), "name": .string(g.name), "worst": .bool(g.worst),
          "steps": stepsJSON(g, score: score), "end_retention": JSON(retention),
        ])
      })
    }
    let risk = Plant.riskBase
    let riskShare = risk[Plant.blindSpotDomain] / risk.reduce(0, +)
    return .object([
      "schema": .int(1),
      "generator": .object([
        "version": .string(ChuandaoVersion.string), "preset": JSON(spec.preset?.rawValue),
        "shape": .array(spec.shape.map { .int($0) }), "periods": .int(spec.periods),
        "seed": .int(Int(truncatingIfNeeded: spec.seed)), "null": .bool(spec.null),
      ]),
      "levels": ids(levels),
      "periods": ids(periods),
      "attenuation": .object([
        "score": .object(["groups": groupsJSON(score: true)]),
        "intensity": .object(["period": .string(periods.last!), "groups": groupsJSON(score: false)]),
        "worst_group": JSON(groups.first(where: \.worst)?.id),
      ]),
      "imbalance": .object([
        "multipliers": .object(["cold": .number(Plant.cold), "hot": .number(Plant.hot)]),
        "cold": flagged(cold),
        "hot": flagged(hot),
        "persistent_cold": ids(persistent),
        "no_supervision": ids(noSupervision),
        "zero_members": ids(zeroMembers),
        "blind_spot": spec.null ? .null : .object([
          "domain": .string(manifest.domains[Plant.blindSpotDomain]),
          "supervision_share": .number(Plant.domainShares[Plant.blindSpotDomain]),
          "risk_share": .number(riskShare),
        ]),
        "low_early_share": .array(lowEarly.map { .object(["id": .string($0.0), "level": .string(levels[$0.1]), "share": .number(Plant.kindSharesLowEarly[0])]) }),
      ]),
      "coordination": .object([
        "silo": .array(silo.map { .object(["id": .string($0.0), "level": .string(levels[$0.1]), "subject": .string(subjects[$0.2]), "gap": .number(Plant.siloDrop)]) }),
      ]),
      "trend": .object(["metric": .string("score"), "slope": .number(Plant.trendSlope), "rising": ids(rising), "falling": ids(falling)]),
      "lists": .object(listsJSON),
      "leaders": .array(leaders.map { .object(["period": .string(periods[$0.0]), "person": .string($0.1), "node": .string($0.2), "oversees": ids($0.3)]) }),
      "reorganisations": .array(reorganisations.map { .object(["predecessors": ids($0.0), "successor": .string($0.1), "last_period": .string($0.2), "merge": .bool($0.0.count > 1)]) }),
      "quoted_names": ids(quotedNames),
    ])
  }
}
