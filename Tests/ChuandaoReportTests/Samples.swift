import ChuandaoReport

/// Small fixed inputs for the golden charts, Chinese names among them (and one name
/// with XML's special characters). Everything is computed with +, ×, ÷ and √ only, so
/// the numbers are the same on every platform.
enum Samples {
  /// A 64-bit linear congruential generator (Knuth's MMIX constants): a fixed stream.
  struct LCG {
    var state: UInt64
    mutating func next() -> Double {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(state >> 11) / 9_007_199_254_740_992
    }
  }

  static let flagsZh: [FunnelFlag: String] = [
    .cold: "冷", .cool: "偏冷", .normal: "正常", .warm: "偏热", .hot: "热",
  ]

  /// Normal-approximation limits 1 ± z √(φ/E) sampled at E = 10^(k/10).
  static func limits(phi: Double, from: Int = -2, to: Int = 32) -> FunnelPlot.Limits {
    var e: [Double] = []
    var l95: [Double] = []
    var u95: [Double] = []
    var l998: [Double] = []
    var u998: [Double] = []
    // 10^(k/10) by repeated multiplication with 10^0.1 written out, so no pow().
    var x = 1.0
    let step = 1.2589254117941673
    for _ in 0 > from ? (from..<0) : (0..<0) { x /= step }
    for _ in from...to {
      let s = (phi / x).squareRoot()
      e.append(x)
      l95.append(max(0, 1 - 1.959964 * s))
      u95.append(1 + 1.959964 * s)
      l998.append(max(0, 1 - 3.090232 * s))
      u998.append(1 + 3.090232 * s)
      x *= step
    }
    return FunnelPlot.Limits(
      expected: e, lower95: l95, upper95: u95, lower998: l998, upper998: u998)
  }

  /// The flag of (E, r) against 1 ± z √(φ/E).
  static func flag(_ e: Double, _ r: Double, phi: Double) -> FunnelFlag {
    let s = (phi / e).squareRoot()
    if r < 1 - 3.090232 * s { return .cold }
    if r > 1 + 3.090232 * s { return .hot }
    if r < 1 - 1.959964 * s { return .cool }
    if r > 1 + 1.959964 * s { return .warm }
    return .normal
  }

  static func funnel() -> FunnelPlot {
    let nodes: [(String, Double, Double)] = [
      ("市交通委机关党委", 182, 0.92), ("市住建委机关党委", 143, 1.21), ("市卫健委机关党委", 121, 0.98),
      ("市教育局机关党委", 96, 0.41), ("公路管理局党委", 88, 1.07), ("轨道交通集团党委", 75, 1.62),
      ("建设工程安全质量监督站", 61, 0.88), ("市第一人民医院党委", 55, 1.9), ("市中心医院党委", 47, 0.95),
      ("疾控中心党委", 39, 1.12), ("B3-U1 Station & <Lab>", 33, 0.35), ("市第二中学党委", 28, 1.05),
      ("职业技术学院党委", 24, 0.71), ("港航事业发展中心", 21, 1.75), ("城建档案馆党支部", 17, 0.18),
      ("住房保障中心", 14, 2.15), ("妇幼保健院党总支", 12, 0.84), ("实验小学党支部", 9.5, 1.26),
      ("市政设施维护中心", 8.1, 0.62), ("运输执法支队", 6.4, 2.9), ("血液中心党支部", 5.2, 1.0),
      ("招生考试院党支部", 4.1, 0.49), ("老干部活动中心", 3.2, 1.55), ("离退休党支部", 2.6, 0.0),
    ]
    let phi = 1.8
    return FunnelPlot(
      labels: .init(
        title: "单位层级漏斗图（监督强度 O/E）", description: "24个单位的观察值与期望值之比，按期望监督次数（对数刻度）排列。",
        xAxis: "期望监督次数 E", yAxis: "观察/期望 O/E", flags: flagsZh, limits95: "95% 控制限",
        limits998: "99.8% 控制限", plainLimits: "泊松控制限（未校正过度离散）", target: "O/E = 1"),
      names: nodes.map(\.0), expected: nodes.map(\.1), ratio: nodes.map(\.2),
      flags: nodes.map { flag($0.1, $0.2, phi: phi) }, limits: limits(phi: phi),
      plainLimits: limits(phi: 1))
  }

  /// 3000 nodes from a fixed stream: normal ones as density, flagged ones as marks.
  static func funnelDensity() -> FunnelPlot {
    var g = LCG(state: 20_250_101)
    var names: [String] = []
    var e: [Double] = []
    var r: [Double] = []
    for i in 0..<3000 {
      // E log-uniform-ish on 1...1000 from three uniform factors; the ratio a sum of
      // uniforms (roughly normal) scaled like a Poisson rate's error, every 97th node
      // pushed out.
      let ei = 1 + 999 * g.next() * g.next() * g.next()
      let z = (g.next() + g.next() + g.next() + g.next() - 2) * 1.7
      var ri = max(0, 1 + z / ei.squareRoot())
      if i % 97 == 0 { ri = i % 194 == 0 ? ri * 0.35 : ri * 1.9 + 0.2 }
      names.append("branch-\(i)")
      e.append(ei)
      r.append(ri)
    }
    return FunnelPlot(
      labels: .init(
        title: "Branch level funnel plot (density of normal branches)",
        description:
          "3000 branches; normal ones counted into grey cells, flagged ones drawn as marks.",
        xAxis: "Expected count E", yAxis: "Observed / expected",
        flags: [
          .cold: "cold", .cool: "cool", .normal: "normal (density)", .warm: "warm", .hot: "hot",
        ],
        limits95: "95% limits", limits998: "99.8% limits", target: "O/E = 1"),
      names: names, expected: e, ratio: r, flags: zip(e, r).map { flag($0, $1, phi: 1) },
      limits: limits(phi: 1), density: .init(columns: 48, rows: 30))
  }

  static func ladder() -> AttenuationLadder {
    AttenuationLadder(
      labels: .init(
        title: "层层传导：各层级传导系数 τ", description: "每一层级之间的传导系数及其95%区间，以及端到端保留率。",
        xAxis: "传导系数 τ（1 = 无衰减）", retention: "端到端保留率 R", reference: "τ = 1"),
      steps: ["局 → 单位", "单位 → 支部"], tau: [0.9216, 0.9129], lower: [0.8507, 0.8916],
      upper: [0.9983, 0.9347], endRetention: 0.8413, retentionLower: 0.7702, retentionUpper: 0.9176)
  }

  static func heatStrip() -> HeatStrip {
    let rows = ["市交通委", "市住建委", "市卫健委", "市教育局"]
    let v: [Double?] = [
      0.7336, 0.7512, 0.7804, 0.7702, 0.7954,
      0.8621, 0.8804, nil, 0.8925, 0.9011,
      0.9102, 0.8956, 0.9233, 0.9318, 0.9405,
      0.8133, 0.8027, 0.7911, 0.8245, 0.8390,
    ]
    return HeatStrip(
      labels: .init(
        title: "各局端到端保留率（2021–2025）", description: "行：局；列：年度；颜色越深保留率越高。",
        legend: "端到端保留率 R"),
      rows: rows, columns: ["2021", "2022", "2023", "2024", "2025"], values: v, decimals: 2)
  }

  static func icicle() -> Icicle {
    // (name, parent, members, log O/E)
    let nodes: [(String, Int?, Double, Double?)] = [
      ("市交通委", nil, 12, -0.35), ("市住建委", nil, 10, 0.18), ("市卫健委", nil, 9, 0.05),
      ("公路管理局", 0, 40, -0.62), ("轨道交通集团", 0, 55, 0.21), ("港航中心", 0, 18, -0.1),
      ("质量监督站", 1, 30, 0.44), ("城建档案馆", 1, 12, -0.9), ("住房保障中心", 1, 25, 0.71),
      ("第一人民医院", 2, 60, 0.33), ("疾控中心", 2, 22, nil),
      ("养护一支部", 3, 20, -0.8), ("养护二支部", 3, 16, -0.4), ("运营支部", 4, 35, 0.3), ("工程支部", 4, 30, 0.12),
      ("监督一科支部", 6, 14, 0.5), ("离退休支部", 7, 9, -1.1), ("内科支部", 9, 28, 0.4), ("外科支部", 9, 31, 0.2),
      ("急诊支部", 9, 12, 0.9),
    ]
    return Icicle(
      labels: .init(
        title: "组织分区图：监督强度冷热（log O/E）", description: "自上而下为局、单位、支部；宽度与党员数成正比；蓝色偏冷、朱红偏热。",
        legend: "log(O/E)", cold: "冷", hot: "热", levels: ["局", "单位", "支部"]),
      names: nodes.map(\.0), parents: nodes.map(\.1), values: nodes.map(\.3),
      sizing: .members(nodes.map(\.2)),
      limit: 1)
  }

  static func domainCoverage() -> DomainCoverage {
    DomainCoverage(
      labels: .init(
        title: "领域覆盖：监督占比与风险占比", description: "每个领域的监督占比与风险占比；覆盖度低于0.5为盲区。",
        xAxis: "占比", supervision: "监督占比", risk: "风险占比", coverage: "覆盖度", blindSpot: "盲区"),
      domains: ["工程建设", "政府采购", "行政审批", "财务管理", "人事选拔", "执法监督"],
      supervisionShare: [0.31, 0.08, 0.19, 0.22, 0.14, 0.06],
      riskShare: [0.28, 0.21, 0.15, 0.12, 0.10, 0.14],
      threshold: 0.5)
  }

  static func subjectDots() -> SubjectDotPlot {
    let nodes = ["公路管理局党委", "城建档案馆党支部", "住房保障中心", "疾控中心党委", "运输执法支队", "Lab & Station"]
    let s: [Double?] = [
      88, 71, 93, 80,
      62, 85, 90, 58,
      91, 90, 66, 87,
      75, 79, 77, nil,
      55, 83, 72, 69,
      84, 84, 70, 86,
    ]
    return SubjectDotPlot(
      labels: .init(
        title: "四责协同：孤岛节点的四类主体得分", description: "每行一个孤岛节点，四种形状分别代表四类责任主体。", xAxis: "得分"),
      subjects: ["党委主体责任", "书记第一责任", "纪委监督责任", "班子成员一岗双责"], nodes: nodes, scores: s,
      domain: 50...100)
  }

  static func closureFunnel() -> ClosureFunnel {
    ClosureFunnel(
      labels: .init(title: "三张清单闭环", description: "问题认领、制定措施、完成整改、按期完成的数量与占比。"),
      stages: ["认领问题", "制定措施", "完成整改", "按期完成"], counts: [120, 104, 87, 71])
  }

  static func smallMultiples() -> SmallMultiples {
    let panels = ["市交通委", "市住建委", "市卫健委", "市教育局", "公路管理局", "轨道交通集团有限公司党委"]
    let v: [Double?] = [
      0.81, 0.84, 0.86, 0.85, 0.88,
      0.92, 0.9, 0.93, 0.95, 0.94,
      0.97, 1.02, 0.99, 1.01, 1.04,
      0.88, nil, 0.84, 0.8, 0.79,
      0.74, 0.79, 0.83, 0.87, 0.9,
      1.05, 1.01, 0.96, 0.94, 0.9,
    ]
    return SmallMultiples(
      labels: .init(title: "各节点传导系数逐年变化", description: "每格一个节点，纵轴共用；虚线为 τ = 1。", yAxis: "传导系数 τ"),
      panels: panels, xLabels: ["2021", "2022", "2023", "2024", "2025"], values: v, reference: 1,
      columns: 3)
  }

  static func caterpillar() -> CaterpillarPlot {
    let names = [
      "市交通委", "市住建委", "市卫健委", "市教育局", "公路管理局", "轨道交通集团", "港航中心", "质量监督站",
      "城建档案馆", "住房保障中心", "第一人民医院", "疾控中心", "职业技术学院", "实验小学", "血液中心",
    ]
    let median: [Double] = [4, 9, 2, 12, 7, 1, 14, 5, 15, 8, 3, 11, 6, 13, 10]
    let lower: [Double] = [2, 6, 1, 9, 4, 1, 11, 3, 13, 5, 1, 8, 3, 10, 6]
    let upper: [Double] = [7, 12, 4, 14, 10, 3, 15, 8, 15, 11, 6, 14, 9, 15, 13]
    let grades: [Grade] = median.map {
      $0 <= 3 ? .excellent : $0 <= 8 ? .good : $0 <= 12 ? .fair : .poor
    }
    return CaterpillarPlot(
      labels: .init(
        title: "综合排名及其5–95%区间", description: "1000次权重抽样下的排名中位数与5–95%区间，按中位数排序。",
        xAxis: "排名（1 = 最好）", grades: [.excellent: "优秀", .good: "良好", .fair: "一般", .poor: "较差"]),
      names: names, median: median, lower: lower, upper: upper, grades: grades)
  }

  /// Every golden chart by file name.
  static let all: [(String, @Sendable () -> String)] = [
    ("funnel", { funnel().svg() }),
    ("funnel-density", { funnelDensity().svg() }),
    ("attenuation-ladder", { ladder().svg() }),
    ("heat-strip", { heatStrip().svg() }),
    ("icicle", { icicle().svg() }),
    ("domain-coverage", { domainCoverage().svg() }),
    ("subject-dots", { subjectDots().svg() }),
    ("closure-funnel", { closureFunnel().svg() }),
    ("small-multiples", { smallMultiples().svg() }),
    ("caterpillar", { caterpillar().svg() }),
  ]

  static var names: [String] { all.map(\.0) }

  static func render(_ name: String) -> String {
    all.first { $0.0 == name }!.1()
  }
}
