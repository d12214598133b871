import Foundation
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
  /// The planted member step of one top-level node (member_reach.csv).
  struct MemberGroup {
    var id: String
    var name: String
    var worst: Bool
    /// Lowest-level nodes with rows in the last period.
    var branches: Int
    var tau: Double
    var tolerance: Double
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
  var memberGroups: [MemberGroup] = []
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

  /// truth.json as one value (for a dataset made in memory).
  func json(spec: GeneratorSpec, manifest: Manifest) -> JSON {
    .object(JSONObject(members(spec: spec, manifest: manifest).map { ($0.key, $0.value()) }))
  }

  /// Writes truth.json into `path` member by member (`JSONWriter.ObjectFile`, atomic):
  /// each member is made just before it is written and freed after, and the long lists
  /// of objects are `JSON.rows`, so the document is never whole in memory. The bytes are
  /// those of `JSONWriter().data(json(...))`.
  func write(spec: GeneratorSpec, manifest: Manifest, to path: String) throws {
    let file = try JSONWriter.ObjectFile(path: path)
    for (key, value) in members(spec: spec, manifest: manifest) { file.member(key, value()) }
    try file.commit()
  }

  /// truth.json's members in order, each made when called.
  private func members(spec: GeneratorSpec, manifest: Manifest) -> [(key: String, value: () -> JSON)] {
    let subjects = manifest.subjects
    let levels = self.levels
    let periods = self.periods
    func ids(_ a: [String]) -> JSON { .array(a.map { .string($0) }) }
    func flagged(_ a: [(String, Int, [Int])]) -> JSON {
      .rows(JSONRows(count: a.count) { r, w in
        let (id, level, ps) = a[r]
        w.add("id", id)
        w.add("level", levels[level])
        w.add("periods", JSON.array(ps.map { .string(periods[$0]) }))
      })
    }
    func listsJSON() -> JSON {
      var o = JSONObject()
      for (t, l) in lists.enumerated() {
        o[periods[t]] = .object([
          "unowned": ids(l.unowned), "unplanned": ids(l.unplanned), "overdue": ids(l.overdue),
          "late": ids(l.late), "on_time": ids(l.onTime), "open_not_due": ids(l.openNotDue),
          "dropped_projects": ids(l.droppedProjects),
        ])
      }
      return .object(o)
    }
    func groupsJSON(score: Bool) -> JSON {
      let groups = self.groups
      return .rows(JSONRows(count: groups.count) { r, w in
        let g = groups[r]
        w.add("id", g.id)
        w.add("name", g.name)
        w.add("worst", g.worst)
        w.add("steps", JSON.array(g.steps.map { s in
          .object([
            "from": .string(levels[s.step - 1]), "to": .string(levels[s.step]),
            "parents": .int(s.parents), "children": .int(s.children),
            "tau": JSON(score ? s.scoreTau : s.intensityTau),
            "tolerance": JSON(score ? s.scoreTolerance : s.intensityTolerance),
          ])
        }))
        w.add("end_retention", g.steps.reduce(1.0) { $0 * (score ? $1.scoreTau : $1.intensityTau) })
      })
    }
    let risk = Plant.riskBase
    let riskShare = risk[Plant.blindSpotDomain] / risk.reduce(0, +)
    let persistent = cold.filter { $0.2.count >= 2 }.map(\.0)
    let (lowEarly, silo, leaders, reorganisations) = (self.lowEarly, self.silo, self.leaders, self.reorganisations)
    let memberGroups = self.memberGroups
    return [
      ("schema", { .int(1) }),
      ("generator", {
        .object([
          "version": .string(ChuandaoVersion.string), "preset": JSON(spec.preset?.rawValue),
          "shape": .array(spec.shape.map { .int($0) }), "periods": .int(spec.periods),
          "seed": .int(Int(truncatingIfNeeded: spec.seed)), "null": .bool(spec.null),
        ])
      }),
      ("levels", { ids(levels) }),
      ("periods", { ids(periods) }),
      ("attenuation", {
        .object([
          "score": .object(["groups": groupsJSON(score: true)]),
          "intensity": .object(["period": .string(periods.last!), "groups": groupsJSON(score: false)]),
          "worst_group": JSON(groups.first(where: \.worst)?.id),
        ])
      }),
      ("member_reach", {
        // The step over all branches is the mean of their log ratios: each bureau's log
        // tau weighted by its branches.
        let n = memberGroups.reduce(0) { $0 + $1.branches }
        let logTau = memberGroups.reduce(0.0) { $0 + Double($1.branches) * Foundation.log($1.tau) }
        return .object([
          "measures": ids(MemberReachPlant.measures),
          "from": .string(levels.last!), "to": .string("member"),
          "tau": n > 0 ? .number(Foundation.exp(logTau / Double(n))) : .null,
          "groups": .rows(JSONRows(count: memberGroups.count) { r, w in
            let g = memberGroups[r]
            w.add("id", g.id)
            w.add("name", g.name)
            w.add("worst", g.worst)
            w.add("branches", g.branches)
            w.add("tau", g.tau)
            w.add("tolerance", g.tolerance)
          }),
        ])
      }),
      ("imbalance", {
        .object([
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
          "low_early_share": .rows(JSONRows(count: lowEarly.count) { r, w in
            w.add("id", lowEarly[r].0)
            w.add("level", levels[lowEarly[r].1])
            w.add("share", Plant.kindSharesLowEarly[0])
          }),
        ])
      }),
      ("coordination", {
        .object([
          "silo": .rows(JSONRows(count: silo.count) { r, w in
            w.add("id", silo[r].0)
            w.add("level", levels[silo[r].1])
            w.add("subject", subjects[silo[r].2])
            w.add("gap", Plant.siloDrop)
          })
        ])
      }),
      ("trend", { .object(["metric": .string("score"), "slope": .number(Plant.trendSlope), "rising": ids(rising), "falling": ids(falling)]) }),
      ("lists", listsJSON),
      ("leaders", {
        .rows(JSONRows(count: leaders.count) { r, w in
          let (t, person, node, oversees) = leaders[r]
          w.add("period", periods[t])
          w.add("person", person)
          w.add("node", node)
          w.add("oversees", JSON.array(oversees.map { .string($0) }))
        })
      }),
      ("reorganisations", {
        .rows(JSONRows(count: reorganisations.count) { r, w in
          let (predecessors, successor, last) = reorganisations[r]
          w.add("predecessors", JSON.array(predecessors.map { .string($0) }))
          w.add("successor", successor)
          w.add("last_period", last)
          w.add("merge", predecessors.count > 1)
        })
      }),
      ("quoted_names", { ids(quotedNames) }),
      // Issue 17: planted as associations, from the bureaus' second streams (docs/generator.md).
      ("capacity", {
        .object([
          // Staff is drawn independently of supervision, but planted cold nodes have their
          // members raised, which ties staff per member to supervision: 1 under --null only.
          "staff_rate_ratio": spec.null ? .number(1) : .null,
          "joint_office_effect": .string(spec.null ? "none" : "lower"),
          "joint_office_slope": spec.null ? .null : .number(Plant.jointSlope),
          "joint_office_probability": spec.null ? .number(Plant.jointNull) : .null,
        ])
      }),
      ("remit", {
        .object([
          "outside_effect": .string(spec.null ? "none" : "lower"),
          "max_domains": .int(Plant.maxRemit),
        ])
      }),
    ]
  }
}
