import ChuandaoStats
import Foundation
import _ChuandaoOutput

/// Generates datasets of any size and depth with planted truth (`truth.json`).
///
/// The forest is generated bureau by bureau, each from its own random stream (the seed
/// mixed with the bureau's index), and every row of a bureau is emitted before the next
/// bureau starts: memory is bounded by one bureau's subtree, whatever the preset. The
/// planted effects and their tolerances are documented in `docs/generator.md`.
public struct DatasetGenerator: Sendable {
  public let spec: GeneratorSpec

  public init(_ spec: GeneratorSpec) {
    precondition(spec.problem == nil, "invalid generator spec: \(spec.problem!.en)")
    self.spec = spec
  }

  /// The manifest every generated dataset carries.
  public var manifest: Manifest {
    let labels = spec.periodLabels
    return Manifest(
      name: spec.preset.map { "generated \($0.rawValue) (seed \(spec.seed))" }
        ?? "generated \(spec.shape.map(String.init).joined(separator: "x")) (seed \(spec.seed))",
      levels: spec.levelNames, periods: labels,
      periodEnd: labels.map { ISODate.parse("\($0)-12-31") })
  }

  /// Writes the dataset and `truth.json` into `folder`, which must not hold a dataset yet.
  /// `progress` is called after each bureau with (done, total).
  /// The rows stream out as they are made and truth.json is written member by member, so
  /// memory stays bounded by one bureau and the truth's id lists, whatever the preset.
  public func write(to folder: String, progress: ((Int, Int) -> Void)? = nil) throws {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var sink = CSVFileSink(folder: folder)
    let state = generate(into: &sink, progress: progress)
    try sink.finish()
    let yaml = manifestYAML()
    try AtomicFile.write(Array(yaml.utf8), to: (folder as NSString).appendingPathComponent("dataset.yaml"))
    try state.truth.write(spec: spec, manifest: manifest, to: (folder as NSString).appendingPathComponent("truth.json"))
  }

  /// Builds the dataset in memory, with no CSV written or parsed, and its truth.
  public func makeDataset() -> (Dataset, JSON) {
    var sink = MemorySink()
    let state = generate(into: &sink, progress: nil)
    return (sink.dataset(folder: "(generated in memory)"), state.truth.json(spec: spec, manifest: manifest))
  }

  /// Emits every bureau's rows into `sink`, in order; returns the state with the truth.
  func generate<Sink: GeneratorSink>(into sink: inout Sink, progress: ((Int, Int) -> Void)?) -> GenerationState {
    var state = GenerationState(spec: spec, manifest: manifest)
    sink.begin(manifest: manifest)
    for b in 0..<spec.shape[0] {
      state.generateBureau(b, into: &sink)
      progress?(b + 1, spec.shape[0])
    }
    return state
  }

  func manifestYAML() -> String {
    let m = manifest
    var y = "# Made by `chuandao generate` (\(spec.preset.map { "--preset \($0.rawValue)" } ?? "--shape \(spec.shape.map(String.init).joined(separator: "x"))") --periods \(spec.periods) --seed \(spec.seed)\(spec.null ? " --null" : "")).\n"
    y += "name: \"\(m.name)\"\n"
    y += "levels: [\(m.levels.joined(separator: ", "))]\n"
    y += "periods: [\(m.periods.map { "\"\($0)\"" }.joined(separator: ", "))]\n"
    y += "period_end:\n"
    for (t, label) in m.periods.enumerated() { y += "  \"\(label)\": \(ISODate.format(m.periodEnd[t]!))\n" }
    return y
  }
}

// MARK: - The planted model

/// The generating model's constants (documented in docs/generator.md).
enum Plant {
  /// Score transmission per level step: ordinary bureaus, and the clearly worst one.
  static let tauScore = 0.96
  static let tauScoreSpread = 0.02
  static let tauScoreWorst = 0.86
  /// Supervision rate per member per period at the top, and its factor per level step.
  static let rateTop = 1.0
  static let rateFactor = 0.92
  static let rateFactorSpread = 0.03
  static let rateFactorWorst = 0.70
  /// SD of the node-persistent log-score effect, of the per-period one, and of subject noise (points).
  static let nodeEffectSD = 0.035
  static let periodEffectSD = 0.01
  static let subjectSD = 1.0
  /// Subject offsets (points) around the composite; they sum to 0.
  static let subjectOffsets = [0.8, 0.3, -0.5, -0.6]
  /// Silo: the weakest subject drops this much, the other three rise by a third of it.
  static let siloDrop = 18.0
  /// Multipliers of the supervision mean for cold and hot nodes.
  static let cold = 0.05
  static let hot = 3.0
  /// Trend slope, points per period.
  static let trendSlope = 2.5
  /// Kind shares (mildest first), ordinary and for low-early-share nodes.
  static let kindShares = [0.40, 0.25, 0.20, 0.10, 0.05]
  static let kindSharesLowEarly = [0.04, 0.35, 0.33, 0.17, 0.11]
  /// Domain shares of supervision: `engineering` is the planted blind spot.
  static let domainShares = [0.22, 0.03, 0.22, 0.18, 0.18, 0.17]
  /// Base risk by domain (finance, engineering, personnel, assets, procurement, other).
  static let riskBase = [1.5, 2.0, 1.2, 1.2, 1.0, 0.6]
  static let blindSpotDomain = 1
  /// Probabilities of each planted role per eligible node (beyond the forced ones).
  static let pCold = 0.02
  static let pHot = 0.015
  static let pSilo = 0.02
  static let pLowEarly = 0.02
  static let pTrend = 0.03
  /// Issue 17, drawn from each bureau's second stream (`extraStream`) after its supervision,
  /// so that every file and column of earlier releases stays byte-identical for a seed:
  /// P(joint office) = 1 / (1 + exp(jointSlope z)), z the node's standardised supervision
  /// over all periods against its generating mean without the cold/hot multiplier; under
  /// `--null`, `jointNull` whatever the counts.
  static let jointSlope = 1.5
  static let jointNull = 0.4
  /// Each overseeing leader is in charge of 1 to `maxRemit` domains: the ones in which the
  /// units they oversee got the most supervision against its generating mean in the period
  /// (at random under `--null`).
  static let maxRemit = 3
}

/// A node of the bureau being generated.
struct GenNode {
  var id: String
  var name: String
  var level: Int
  var parent: Int  // local index, -1 for the bureau
  var members: Int
  var validFrom = 0
  var validTo: Int
  var successor: String?
  var split: Bool?
  var staff: Int?
  var effect = 0.0
  var silo: Int?
  var trend = 0.0
  var lowEarly = false
  /// Supervision multiplier per period (1 = ordinary).
  var multiplier: [Double]
  var special = false  // reorganised, clone or zero-member: not eligible for plants
  var riskFactor: [Double] = []
}

struct GenerationState {
  let spec: GeneratorSpec
  let manifest: Manifest
  var truth = TruthRecorder()
  var problemCounter = 0
  var projectCounter = 0

  init(spec: GeneratorSpec, manifest: Manifest) {
    self.spec = spec
    self.manifest = manifest
    truth.levels = manifest.levels
    truth.periods = manifest.periods
  }

  /// Id letters by level name: B0001-U03-Z12.
  static let letters = ["bureau": "B", "division": "D", "section": "S", "unit": "U", "branch": "Z", "group": "G"]
  func letter(_ level: Int) -> String { GenerationState.letters[manifest.levels[level]] ?? "N\(level)" }
  static let sampleBureaus: [(String, [String])] = [
    ("市水务局", ["水文总站", "堤防处", "供水管理所", "排水管理处", "河湖管理事务中心"]),
    ("市交通委", ["行政服务中心", "路政支队", "港航事务中心", "交通执法总队", "公路管理处"]),
    ("市住建委", ["建设工程安全质量监督站", "住房保障中心", "房屋征收事务所", "建筑市场管理所", "城建档案馆"]),
    ("市卫健委", ["卫生监督所", "疾病预防控制中心", "急救中心", "血液中心", "健康促进中心"]),
  ]
  static let bureauNames = [
    "市水务局", "市交通委", "市住建委", "市卫健委", "市教委", "市财政局", "市民政局", "市商务委",
    "市农业农村委", "市生态环境局", "市规划资源局", "市文旅局", "市体育局", "市市场监管局", "市应急局", "市统计局",
  ]
  static let levelWords = ["局", "处", "科", "单位", "党支部", "党小组"]
  static let sources = ["audit", "inspection", "risk_survey", "petition", "self_check"]

  func digits(_ n: Int) -> Int { String(n).count }

  func pad(_ i: Int, _ width: Int) -> String {
    let s = String(i)
    return String(repeating: "0", count: max(0, width - s.count)) + s
  }

  func bureauName(_ b: Int) -> String {
    if spec.preset == .sample && b < GenerationState.sampleBureaus.count {
      return GenerationState.sampleBureaus[b].0
    }
    let names = GenerationState.bureauNames
    return b < names.count ? names[b] : "\(names[b % names.count])（\(b / names.count + 1)）"
  }

  func childName(bureau b: Int, parentName: String, level: Int, index: Int) -> String {
    if spec.preset == .sample && level == 1 && b < GenerationState.sampleBureaus.count {
      let units = GenerationState.sampleBureaus[b].1
      if index < units.count { return units[index] }
    }
    let word = level == manifest.levels.count - 1 ? "党支部" : GenerationState.levelWords[min(level, 5)]
    let stem = level == 1 ? parentName : String(parentName.prefix(12))
    return "\(stem)第\(index + 1)\(word)"
  }

  /// The bureau's random stream: the seed and the bureau index mixed through SplitMix64.
  func stream(_ b: Int) -> RandomSource {
    var sm = SplitMix64(seed: spec.seed ^ (UInt64(b) &* 0x9E37_79B9_7F4A_7C15))
    _ = sm.next()
    return RandomSource(seed: sm.next())
  }

  /// The bureau's second stream, for the quantities added after the first release of the
  /// generator (issue 17: joint_office, leaders' domains): drawing them from `stream(b)`
  /// would shift every later draw and change every file.
  func extraStream(_ b: Int) -> RandomSource {
    var sm = SplitMix64(seed: spec.seed ^ (UInt64(b) &* 0x9E37_79B9_7F4A_7C15) ^ 0x1717_C0DE_5EED_0017)
    _ = sm.next()
    _ = sm.next()
    return RandomSource(seed: sm.next())
  }

  // MARK: One bureau

  mutating func generateBureau<Sink: GeneratorSink>(_ b: Int, into sink: inout Sink) {
    var rng = stream(b)
    let L = spec.shape.count
    let T = spec.periods
    let planted = !spec.null
    let worst = b == 1 % spec.shape[0]

    // Structural parameters of the bureau.
    var tau = [Double](repeating: 1, count: L)
    var factor = [Double](repeating: 1, count: L)
    for k in 1..<L {
      tau[k] = worst ? Plant.tauScoreWorst : Plant.tauScore + Plant.tauScoreSpread * (2 * rng.uniform() - 1)
      factor[k] = worst ? Plant.rateFactorWorst : Plant.rateFactor + Plant.rateFactorSpread * (2 * rng.uniform() - 1)
    }
    if !planted {
      tau = [Double](repeating: 1, count: L)
      factor = [Double](repeating: 1, count: L)
    }
    func rate(_ level: Int) -> Double {
      var r = Plant.rateTop
      for k in stride(from: 1, through: level, by: 1) { r *= factor[k] }
      return r
    }

    // The structure, breadth first within the bureau.
    var nodes: [GenNode] = []
    let bid = "B" + pad(b + 1, digits(spec.shape[0]))
    nodes.append(GenNode(
      id: bid, name: bureauName(b), level: 0, parent: -1, members: 20 + rng.int(below: 31),
      validTo: T - 1, split: rng.bernoulli(0.7), staff: 3 + rng.int(below: 6),
      multiplier: [Double](repeating: 1, count: T)))
    var levelStart = [0]
    for k in 1..<L {
      levelStart.append(nodes.count)
      let parents = levelStart[k - 1]..<levelStart[k]
      for p in parents {
        for c in 0..<spec.shape[k] {
          let bottom = k == L - 1
          let name = childName(bureau: b, parentName: nodes[p].name, level: k, index: c)
          nodes.append(GenNode(
            id: nodes[p].id + "-" + letter(k) + pad(c + 1, digits(spec.shape[k])),
            name: name, level: k, parent: p,
            members: bottom ? 15 + rng.int(below: 31) : 10 + rng.int(below: 21), validTo: T - 1,
            split: bottom ? nil : rng.bernoulli(0.7), staff: bottom ? nil : rng.int(below: 4),
            multiplier: [Double](repeating: 1, count: T)))
        }
      }
    }
    levelStart.append(nodes.count)

    // Names with a comma and quotes (CSV quoting), in the first bureau.
    if b == 0 && nodes.count > 1 {
      nodes[1].name = "\(nodes[1].name)（\"四责协同\"试点, 一岗双责）"
      if nodes.count > 2 { nodes[nodes.count - 1].name += "，含退休党员, 流动党员" }
      truth.quotedNames.append(nodes[1].id)
    }

    // Reorganisation (1:1) and a merge (2:1) in the first bureau, when there is room.
    if b == 0 && T >= 2 && planted {
      let m = max(0, T / 2 - 1)
      let units = Array(levelStart[1]..<levelStart[2])
      var groups: [([Int], String)] = []
      if units.count >= 4 {
        groups = [([units[1]], "R"), ([units[units.count - 2], units[units.count - 1]], "M")]
      } else if units.count == 3 {
        groups = [([units[0]], "R"), ([units[1], units[2]], "M")]
      } else {
        groups = [([units[0]], "R")]
      }
      for (preds, suffix) in groups {
        cloneSubtree(of: preds, suffix: suffix, endPeriod: m, nodes: &nodes)
        truth.reorganisations.append((preds.map { nodes[$0].id }, nodes[preds[0]].id + suffix, manifest.periods[m]))
      }
    }

    // Zero-member nodes: a retired members' branch in a few bureaus.
    if b % 50 == 2 || (spec.shape[0] < 3 && b == 0),
      let parent = (levelStart[L - 2]..<levelStart[L - 1]).first(where: { nodes[$0].validTo == T - 1 && !nodes[$0].special })
    {
      nodes.append(GenNode(
        id: nodes[parent].id + "-" + letter(L - 1) + "R0",
        name: "\(nodes[parent].name)离退休党支部", level: L - 1, parent: parent, members: 0,
        validTo: T - 1, multiplier: [Double](repeating: 0, count: T), special: true))
      truth.zeroMembers.append(nodes[nodes.count - 1].id)
    }

    // Planted roles.
    let bottom = L - 1
    func eligible(_ i: Int) -> Bool { !nodes[i].special && nodes[i].validFrom == 0 && nodes[i].validTo == T - 1 }
    if planted {
      let candidateLevels = Array(Set([1, bottom])).sorted()
      // Forced roles, so that even the smallest datasets hold each one.
      func firstEligible(_ level: Int, skip: Int = 0) -> Int? {
        var seen = 0
        for i in nodes.indices where nodes[i].level == level && eligible(i) && nodes[i].multiplier.allSatisfy({ $0 == 1 }) && nodes[i].silo == nil && nodes[i].trend == 0 && !nodes[i].lowEarly {
          if seen == skip { return i }
          seen += 1
        }
        return nil
      }
      switch b % 4 {
      case 0:
        if let i = firstEligible(1) { makeCold(i, persistent: true, nodes: &nodes) }
        if let i = firstEligible(bottom, skip: 1) { makeCold(i, persistent: false, nodes: &nodes) }
        if T >= 3, let i = firstEligible(1) { nodes[i].trend = Plant.trendSlope }
        if let i = firstEligible(bottom, skip: 2) {
          // One node with no supervision rows at all in the last period: a cold node with
          // multiplier 0.
          nodes[i].multiplier[T - 1] = 0
          truth.noSupervision.append(nodes[i].id)
          truth.cold.append((nodes[i].id, nodes[i].level, [T - 1]))
          nodes[i].special = true
        }
      case 1:
        if let i = firstEligible(1) { makeHot(i, nodes: &nodes) }
        if let i = firstEligible(bottom, skip: 1) { makeHot(i, nodes: &nodes) }
        if T >= 3, let i = firstEligible(1) { nodes[i].trend = -Plant.trendSlope }
      case 2:
        if let i = firstEligible(bottom, skip: 1) { makeCold(i, persistent: true, nodes: &nodes) }
        if let i = firstEligible(1) { nodes[i].silo = rng.int(below: 4) }
        if let i = firstEligible(bottom, skip: 3) { nodes[i].silo = rng.int(below: 4) }
      default:
        if let i = firstEligible(bottom, skip: 1) { makeHot(i, nodes: &nodes) }
        if let i = firstEligible(bottom, skip: 2) { nodes[i].lowEarly = true }
        if let i = firstEligible(1) { makeCold(i, persistent: false, nodes: &nodes) }
      }
      // Random roles at low rates, for large datasets.
      for i in nodes.indices where candidateLevels.contains(nodes[i].level) && eligible(i) {
        let plain = nodes[i].multiplier.allSatisfy({ $0 == 1 })
        let u = rng.uniform()
        if plain && u < Plant.pCold {
          makeCold(i, persistent: rng.bernoulli(0.5), nodes: &nodes)
        } else if plain && u < Plant.pCold + Plant.pHot {
          makeHot(i, nodes: &nodes)
        }
        if nodes[i].silo == nil && rng.bernoulli(Plant.pSilo) { nodes[i].silo = rng.int(below: 4) }
        if nodes[i].level == bottom && plain && nodes[i].multiplier.allSatisfy({ $0 == 1 })
          && rng.bernoulli(Plant.pLowEarly)
        {
          nodes[i].lowEarly = true
        }
        if nodes[i].level == 1 && T >= 3 && nodes[i].trend == 0 && rng.bernoulli(2 * Plant.pTrend) {
          nodes[i].trend = rng.bernoulli(0.5) ? Plant.trendSlope : -Plant.trendSlope
        }
      }
    }

    // Members: floors so that every node expects at least 5.5 actions (30 for cold ones, so
    // that their 5% stands out even in an overdispersed level: see docs/generator.md).
    for i in nodes.indices where nodes[i].members > 0 {
      let r = rate(nodes[i].level)
      let floor = nodes[i].multiplier.contains { $0 < 1 } ? 30.0 : nodes[i].lowEarly ? 20.0 : 5.5
      nodes[i].members = max(nodes[i].members, Int((floor / r).rounded(.up)))
      nodes[i].effect = planted ? Plant.nodeEffectSD * rng.normal() : 0
      nodes[i].riskFactor = (0..<manifest.domains.count).map { _ in 0.7 + 0.6 * rng.uniform() }
    }
    // Clones inherit their (first) predecessor's effect.
    for i in nodes.indices {
      if let s = nodes[i].successor, let j = nodes.firstIndex(where: { $0.id == s }), nodes[j].effect == 0 {
        nodes[j].effect = nodes[i].effect
      }
    }

    // Truth of roles.
    for n in nodes {
      if let s = n.silo { truth.silo.append((n.id, n.level, s)) }
      if n.lowEarly { truth.lowEarly.append((n.id, n.level)) }
      if n.trend > 0 { truth.rising.append(n.id) }
      if n.trend < 0 { truth.falling.append(n.id) }
    }

    // Rows: org.
    for n in nodes {
      sink.org(GeneratedOrgRow(
        id: n.id, parent: n.parent >= 0 ? nodes[n.parent].id : "", level: n.level, name: n.name,
        members: n.members, validFrom: n.validFrom > 0 ? n.validFrom : nil,
        validTo: n.validTo < T - 1 ? n.validTo : nil, partyAdminSplit: n.split,
        disciplineStaff: n.staff, successor: n.successor))
    }

    // Members changing in the last period for a few nodes (members.csv).
    var members = [[Int]](repeating: nodes.map(\.members), count: T)
    do {
      // One forced row in the first bureau, so that members.csv is never empty.
      for i in nodes.indices where nodes[i].members > 0 && nodes[i].validTo == T - 1
        && (rng.bernoulli(0.02) || (b == 0 && i == nodes.count - 1))
      {
        members[T - 1][i] = nodes[i].members + 1 + rng.int(below: 5)
        sink.members(period: T - 1, node: nodes[i].id, members: members[T - 1][i])
      }
    }

    // Scores and supervision, period by period.
    let S = manifest.subjects.count
    let K = manifest.kinds.count
    let D = manifest.domains.count
    let bureauBase = min(92, max(80, 88 + 1.5 * rng.normal()))
    var reach = MemberReachPlant(bureau: b, seed: spec.seed, worst: worst, planted: planted, nodes: nodes.count)
    var m = [Double](repeating: 0, count: nodes.count)
    var stat = BureauStepStats(levels: L)
    // Realised counts and generating means per (node, period, domain), and per node over
    // the periods without the cold/hot multiplier, for the issue 17 columns.
    var realised = [Double](repeating: 0, count: nodes.count * T * D)
    var meanByDomain = [Double](repeating: 0, count: nodes.count * T * D)
    var plainMean = [Double](repeating: 0, count: nodes.count)
    for t in 0..<T {
      for i in nodes.indices where nodes[i].validFrom <= t && t <= nodes[i].validTo {
        let n = nodes[i]
        if !planted {
          m[i] = 80 + 6 * rng.normal()
        } else if n.parent < 0 {
          m[i] = bureauBase + 0.5 * Double(t) + 0.5 * rng.normal()
        } else {
          let centred = Double(t) - Double(T - 1) / 2
          m[i] = m[n.parent] * tau[n.level] * Foundation.exp(n.effect + Plant.periodEffectSD * rng.normal())
            + n.trend * centred
        }
        m[i] = min(100, max(0, m[i]))
        var s = (0..<S).map { j in
          m[i] + (planted ? Plant.subjectOffsets[j % Plant.subjectOffsets.count] : 0) + Plant.subjectSD * rng.normal()
        }
        for j in 0..<S { s[j] = min(100, max(0, s[j])) }
        if let w = n.silo, S > 1 {
          // The others rise by a third of the drop (capped at 100); the weakest is then set
          // so that the subjects' mean minus it is exactly the planted gap.
          var others = 0.0
          for j in 0..<S where j != w {
            s[j] = min(100, s[j] + Plant.siloDrop / Double(S - 1))
            others += s[j]
          }
          s[w] = max(0, (others - Double(S) * Plant.siloDrop) / Double(S - 1))
        }
        for j in 0..<S { sink.score(period: t, node: n.id, subject: j, score: s[j]) }
        if n.level == bottom && members[t][i] > 0 {
          reach.emit(node: i, id: n.id, period: t, score: m[i], members: members[t][i], last: t == T - 1, into: &sink)
        }

        guard members[t][i] > 0 else { continue }
        let mu = Double(members[t][i]) * rate(n.level) * n.multiplier[t]
        let kinds = n.lowEarly ? Plant.kindSharesLowEarly : Plant.kindShares
        let domains = planted ? Plant.domainShares : Plant.riskBase.map { $0 / Plant.riskBase.reduce(0, +) }
        for k in 0..<K {
          for d in 0..<D {
            let c = rng.poisson(mean: mu * kinds[k % kinds.count] * domains[d % domains.count])
            if c > 0 { sink.supervision(period: t, node: n.id, kind: k, domain: d, count: c) }
            realised[(i * T + t) * D + d] += Double(c)
          }
        }
        for d in 0..<D { meanByDomain[(i * T + t) * D + d] = mu * domains[d % domains.count] }
        plainMean[i] += Double(members[t][i]) * rate(n.level)
        for d in 0..<D {
          sink.risk(period: t, node: n.id, domain: d, risk: Plant.riskBase[d % Plant.riskBase.count] * n.riskFactor[d])
        }
        if t == T - 1 && n.parent >= 0 && n.multiplier[t] > 0 && nodes[n.parent].multiplier[t] > 0 {
          stat.add(level: n.level, parent: n.parent,
                   intensityLogRatio: Foundation.log(rate(n.level) * n.multiplier[t] / (rate(n.level - 1) * nodes[n.parent].multiplier[t])),
                   childMean: mu, parentMean: Double(members[t][n.parent]) * rate(n.level - 1) * nodes[n.parent].multiplier[t])
        }
      }
    }
    truth.groups.append(stat.groupTruth(id: bid, name: nodes[0].name, tau: tau, worst: worst && planted, null: !planted))
    truth.memberGroups.append(reach.truth(id: bid, name: nodes[0].name, worst: worst && planted))

    // joint_office (issue 17), from the second stream.
    var extra = extraStream(b)
    for i in nodes.indices {
      var p = Plant.jointNull
      if planted && plainMean[i] > 0 {
        var observed = 0.0
        for j in (i * T * D)..<((i + 1) * T * D) { observed += realised[j] }
        let z = (observed - plainMean[i]) / plainMean[i].squareRoot()
        p = 1 / (1 + Foundation.exp(Plant.jointSlope * z))
      }
      sink.jointOffice(node: nodes[i].id, value: extra.bernoulli(p))
    }

    // The three lists, for the units (level 1).
    generateLists(bureau: b, nodes: nodes, rng: &rng, sink: &sink)
    // Leaders of the bureau.
    generateLeaders(
      bureau: b, nodes: nodes, rng: &rng, sink: &sink,
      remit: Remit(realised: realised, mean: meanByDomain, periods: T, domains: D, planted: planted), extra: &extra)
    sink.endBureau()
  }

  mutating func makeCold(_ i: Int, persistent: Bool, nodes: inout [GenNode]) {
    let T = spec.periods
    let periods = persistent ? Array(0..<T) : [T - 1]
    for t in periods { nodes[i].multiplier[t] = Plant.cold }
    truth.cold.append((nodes[i].id, nodes[i].level, periods))
  }

  mutating func makeHot(_ i: Int, nodes: inout [GenNode]) {
    let T = spec.periods
    nodes[i].multiplier[T - 1] = Plant.hot
    truth.hot.append((nodes[i].id, nodes[i].level, [T - 1]))
  }

  /// Ends the subtrees of `preds` after period `end` and adds one new subtree, shaped like
  /// the first, from `end + 1`; each old node names the new node at its position (for a
  /// merge, both predecessors' nodes map onto the same new nodes).
  func cloneSubtree(of preds: [Int], suffix: String, endPeriod end: Int, nodes: inout [GenNode]) {
    // The subtree of a node, breadth first (local indices are breadth first already).
    func subtree(_ root: Int) -> [Int] {
      var out = [root]
      var head = 0
      while head < out.count {
        let p = out[head]
        head += 1
        for j in nodes.indices where nodes[j].parent == p { out.append(j) }
      }
      return out
    }
    let template = subtree(preds[0])
    var newIndex: [Int: Int] = [:]
    for (pos, j) in template.enumerated() {
      var c = nodes[j]
      c.id = pos == 0 ? nodes[preds[0]].id + suffix : nodes[newIndex[c.parent]!].id + "-" + String(c.id.split(separator: "-").last!)
      if pos == 0 {
        c.name = suffix == "M" ? "\(nodes[preds[0]].name)（合并）" : "\(nodes[preds[0]].name)（重组）"
      }
      c.parent = pos == 0 ? c.parent : newIndex[c.parent]!
      c.validFrom = end + 1
      c.validTo = spec.periods - 1
      c.successor = nil
      c.special = true
      c.multiplier = [Double](repeating: 1, count: spec.periods)
      nodes.append(c)
      newIndex[j] = nodes.count - 1
    }
    let clones = template.map { newIndex[$0]! }
    for p in preds {
      for (pos, j) in subtree(p).enumerated() {
        nodes[j].validTo = end
        nodes[j].successor = nodes[clones[pos % clones.count]].id
        nodes[j].special = true
      }
    }
  }
}

/// Per bureau and level step, what the planted structure implies for the method of
/// METHODS.md section 2 in the last period, and the tolerance an estimate should allow.
struct BureauStepStats {
  /// Per level: parent -> (sum of child log-ratios of intensity, children, sum of 1/mu_child, 1/mu_parent)
  var steps: [[Int: (Double, Int, Double, Double)]]

  init(levels: Int) { steps = Array(repeating: [:], count: levels) }

  mutating func add(level: Int, parent: Int, intensityLogRatio g: Double, childMean: Double, parentMean: Double) {
    var e = steps[level][parent] ?? (0, 0, 0, 1 / parentMean)
    e.0 += g
    e.1 += 1
    e.2 += 1 / childMean
    steps[level][parent] = e
  }

  func groupTruth(id: String, name: String, tau: [Double], worst: Bool, null: Bool) -> TruthRecorder.Group {
    var out = TruthRecorder.Group(id: id, name: name, worst: worst, steps: [])
    let sdLog = (Plant.nodeEffectSD * Plant.nodeEffectSD + Plant.periodEffectSD * Plant.periodEffectSD
      + 2 * pow(Plant.subjectSD / 2 / 80, 2)).squareRoot()
    let sdParent = Plant.subjectSD / 2 / 80
    for k in 1..<steps.count {
      let parents = steps[k]
      let m = Double(parents.count)
      guard m > 0 else { continue }
      // Scores: the planted tau; variance of the parent-level mean of log-ratios.
      var varScore = 0.0
      var meanG = 0.0
      var varIntensity = 0.0
      // In parent order, so that the floating-point sums are the same on every run.
      for (_, e) in parents.sorted(by: { $0.key < $1.key }) {
        let n = Double(e.1)
        varScore += sdLog * sdLog / n + sdParent * sdParent
        meanG += e.0 / n
        varIntensity += e.2 / (n * n) + e.3
      }
      varScore /= m * m
      varIntensity /= m * m
      meanG /= m
      let tauScore = null ? 1 : tau[k]
      let tauIntensity = Foundation.exp(meanG)
      out.steps.append(.init(
        step: k, parents: parents.count, children: parents.values.reduce(0) { $0 + $1.1 },
        scoreTau: tauScore, scoreTolerance: tauScore * (Foundation.exp(4 * varScore.squareRoot() + 0.005) - 1),
        intensityTau: tauIntensity, intensityTolerance: tauIntensity * (Foundation.exp(4 * varIntensity.squareRoot() + 0.02) - 1)))
    }
    return out
  }
}
