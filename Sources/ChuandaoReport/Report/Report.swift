import Chuandao
import ChuandaoStats
import Foundation
import _ChuandaoOutput
import _ChuandaoParallel

/// The full report of one period (issue 13 part 3): every analysis the dataset supports,
/// run once, told in the order an analyst reads — summary, vertical drop, cold and hot,
/// the four responsibilities, the three lists, over time, assessment, methods — as
/// Markdown, one self-contained HTML file, `results.json` and SVG charts.
///
/// The tables are the analyses' own `Document`s rendered by the Markdown and HTML
/// renderers; this type adds the sentences, the charts and the order. A missing input
/// leaves its section out with one sentence saying why, never an empty chart.
public struct ReportBuilder {
  public var dataset: Dataset
  public var settings: Settings
  public var period: Int
  public var lang: Language
  /// The report's own provenance (its command line, the input digests).
  public var provenance: Provenance
  /// Which settings were used, as the commands' tables end (`Settings: defaults ...`).
  public var settingsLine: String
  /// The most nodes the icicle draws: it goes down level by level while the levels so far
  /// hold at most this many nodes (a province's 200 bureaus and 10,000 units, 1.7 MB of
  /// SVG; the national preset's 202,000 would be 34 MB, so there it stops at the bureaus).
  public var icicleLimit = 20_000

  public init(
    dataset: Dataset, settings: Settings, period: Int, lang: Language, provenance: Provenance,
    settingsLine: String
  ) {
    self.dataset = dataset
    self.settings = settings
    self.period = period
    self.lang = lang
    self.provenance = provenance
    self.settingsLine = settingsLine
  }

  /// What `build` makes: the two documents, the results and the charts by file name
  /// (`ladder.svg`), in the order they appear.
  public struct Output {
    public var markdown: String
    public var html: String
    /// results.json's object (empty when `build` was given a receiver).
    public var results: JSONObject
    public var charts: [(name: String, svg: String)]
    /// Where the time of `build` went: analyses, results, charts and documents.
    public var timings: ReportTimings
  }

  /// Receives results.json's members one at a time, in order, instead of
  /// `Output.results`: `make` builds the member's value on whatever thread the receiver
  /// chooses. A province's results.json is 800 MB of node objects; a receiver can make
  /// and write each member while the analyses go on, and hold none of them whole.
  public typealias ResultsReceiver = (_ key: String, _ make: @escaping @Sendable () -> JSONObject) -> Void

  public func build(results receiver: ResultsReceiver? = nil) -> Output {
    var r = ReportContent(builder: self)
    r.receiver = receiver
    r.run()
    // Markdown here, HTML on the other core. The content is finished: both only read its
    // parts and charts (never the clock or the receiver), so sharing it is safe.
    nonisolated(unsafe) let content = r
    let (markdown, html) = r.clock.time(.documents) { Parallel.both({ content.markdown() }, { content.html() }) }
    return Output(
      markdown: markdown, html: html, results: r.results,
      charts: r.charts.map { ($0.name + ".svg", $0.svg) }, timings: r.clock.timings)
  }
}

/// Where the time of a report goes (`chuandao report --timings`), by stage, measured on
/// a monotonic clock (`ContinuousClock`). The builder fills the analyses, results, charts
/// and documents; the command adds loading and writing. "Outside the analyses" is every
/// stage but `load` and `analyses`.
public struct ReportTimings: Sendable {
  public enum Stage: Int, CaseIterable, Sendable {
    /// Reading the dataset and hashing its files (and the settings).
    case load
    /// Inside the analysis calls (`AttenuationAnalysis.run`, `PeriodFlags.compute`, ...).
    case analyses
    /// The analyses' JSON objects for results.json (`result.json(...)`), when the builder
    /// makes them itself (no results receiver).
    case results
    /// The charts' inputs and SVG text.
    case charts
    /// The analyses' `Document`s, and the Markdown and HTML of the whole report.
    case documents
    /// The files written (atomically), and what the command waits for them: with a
    /// results receiver, the members of results.json not yet written.
    case writing
  }

  private var seconds = [Double](repeating: 0, count: Stage.allCases.count)
  /// The analyses' seconds by analysis, in the order they first ran (`analyses` is their
  /// sum): where a large dataset's time goes.
  public private(set) var analyses: [(name: String, seconds: Double)] = []

  public init() {}

  /// Adds `duration` to the analyses' stage and to the analysis `name`.
  public mutating func addAnalysis(_ name: String, _ duration: Duration) {
    add(.analyses, duration)
    let (s, attoseconds) = duration.components
    addAnalysis(name, seconds: Double(s) + Double(attoseconds) * 1e-18)
  }

  /// `x` seconds more for the analysis `name` (appended at its first time).
  private mutating func addAnalysis(_ name: String, seconds x: Double) {
    if let i = analyses.firstIndex(where: { $0.name == name }) {
      analyses[i].seconds += x
    } else {
      analyses.append((name, x))
    }
  }

  /// The seconds spent in `stage`.
  public subscript(stage: Stage) -> Double { seconds[stage.rawValue] }

  public mutating func add(_ stage: Stage, _ duration: Duration) {
    let (s, attoseconds) = duration.components
    seconds[stage.rawValue] += Double(s) + Double(attoseconds) * 1e-18
  }

  /// `body`'s result, its time added to `stage`.
  public mutating func measure<T>(_ stage: Stage, _ body: () throws -> T) rethrows -> T {
    let start = ContinuousClock.now
    defer { add(stage, .now - start) }
    return try body()
  }

  /// Adds every stage of `other`.
  public mutating func add(_ other: ReportTimings) {
    for n in seconds.indices { seconds[n] += other.seconds[n] }
    for (name, x) in other.analyses { addAnalysis(name, seconds: x) }
  }

  /// Every stage's seconds, in the order of `Stage`.
  public var stages: [(stage: Stage, seconds: Double)] { Stage.allCases.map { ($0, self[$0]) } }
}

/// The builder's stopwatch. A class, so that a section (a mutating method of
/// `ReportContent`) can time a closure that reads or changes the content. A stage timed
/// inside another is counted in the outer one only, so nothing is counted twice.
final class ReportClock {
  private(set) var timings = ReportTimings()
  private var depth = 0

  func time<T>(_ stage: ReportTimings.Stage, _ body: () throws -> T) rethrows -> T {
    try outermost(body) { timings.add(stage, $0) }
  }

  /// `time(.analyses, body)`, its time also counted for the analysis `name`.
  func analysis<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
    try outermost(body) { timings.addAnalysis(name, $0) }
  }

  /// `body`, its duration handed to `record` unless another timed call encloses it.
  private func outermost<T>(_ body: () throws -> T, record: (Duration) -> Void) rethrows -> T {
    if depth > 0 { return try body() }
    depth += 1
    defer { depth -= 1 }
    let start = ContinuousClock.now
    defer { record(.now - start) }
    return try body()
  }
}

/// One block of the report, in order.
enum ReportPart {
  case heading(Int, String)
  case paragraph(String)
  /// An analysis's tables.
  case document(Document)
  /// A chart by name (its file is `charts/NAME.svg`) with a caption.
  case chart(String, String)
  /// Sentences as a list.
  case bullets([String])
}

struct ReportContent {
  let b: ReportBuilder
  var parts: [ReportPart] = []
  var charts: [(name: String, svg: String)] = []
  var results = JSONObject()
  /// Takes results.json's members in place of `results` (`ReportBuilder.build(results:)`).
  var receiver: ReportBuilder.ResultsReceiver?
  var summary: [String] = []
  let clock = ReportClock()

  var d: Dataset { b.dataset }
  var f: Forest { b.dataset.forest }
  var t: Int { b.period }
  var lang: Language { b.lang }
  var labels: [String] { d.manifest.periods }
  var bottom: Int { f.levelCount - 1 }
  var previous: Int? { t > 0 ? t - 1 : nil }

  init(builder: ReportBuilder) { self.b = builder }

  func L(_ zh: String, _ en: String) -> String { lang.pick(zh, en) }
  /// English's singular or plural after a count (Chinese has one form).
  func en(_ n: Int, _ one: String, _ many: String) -> String { n == 1 ? one : many }

  func name(_ i: Int) -> String { f.names[i] }
  func level(_ k: Int) -> String { levelLabel(f.levelNames[k], lang) }

  mutating func heading(_ n: Int, _ zh: String, _ en: String) { parts.append(.heading(n, L(zh, en))) }
  mutating func say(_ text: String) { parts.append(.paragraph(text)) }
  mutating func doc(_ document: Document) { parts.append(.document(document)) }
  /// `svg` is timed as a chart (an autoclosure that must not read `self`, which this
  /// method is changing: the chart's value is made before the call).
  mutating func chart(_ name: String, _ svg: @autoclosure () -> String, _ caption: String) {
    charts.append((name, clock.time(.charts, svg)))
    parts.append(.chart(name, caption))
  }

  /// `body`'s result, its time counted in `stage`.
  func timed<T>(_ stage: ReportTimings.Stage, _ body: () throws -> T) rethrows -> T { try clock.time(stage, body) }
  /// An analysis call, timed as such.
  func analysing<T>(_ name: String = "other", _ body: () throws -> T) rethrows -> T { try clock.analysis(name, body) }

  func provenance(period: String?) -> Provenance {
    var p = b.provenance
    p.period = period
    return p
  }

  /// results.json's member `key`: `json` makes it from `result`, the dataset and
  /// `provenance`; `fallback` is added as its "provenance" when it has none. Handed to the
  /// receiver, or made now into `results`.
  mutating func store<R: Sendable>(
    _ key: String, _ result: R, provenance: Provenance, fallback: Provenance?,
    _ json: @escaping @Sendable (R, Dataset, Provenance) -> JSONObject
  ) {
    let d = self.d
    let make: @Sendable () -> JSONObject = {
      var o = json(result, d, provenance)
      if let fallback, o["provenance"] == nil { o["provenance"] = fallback.json }
      return o
    }
    if let receiver {
      receiver(key, make)
    } else {
      results[key] = .object(timed(.results, make))
    }
  }

  /// `store` for a result whose `json` takes the dataset and provenance, with the
  /// provenance of `period` made and added as the commands add it.
  mutating func store<R: Sendable>(
    _ key: String, _ result: R, period: String?, _ json: @escaping @Sendable (R, Dataset, Provenance) -> JSONObject
  ) {
    store(key, result, provenance: provenance(period: period), fallback: provenance(period: period), json)
  }

  // MARK: - Running everything

  mutating func run() {
    let label = labels[t]
    store("summary", analysing("summary") { DatasetSummary(d) }, period: label) { s, _, p in s.json(provenance: p) }

    let flags: PeriodFlags? = analysing("flags") {
      d.hasSupervision ? PeriodFlags.compute(d, levels: Array(0..<f.levelCount), settings: b.settings.imbalance) : nil
    }
    let compare: CompareResult? = analysing("compare") {
      (d.hasScores && previous != nil) ? CompareAnalysis(settings: b.settings).run(d, from: t - 1, to: t, flags: flags) : nil
    }
    if let compare {
      store("compare", compare, provenance: provenance(period: "\(labels[t - 1])..\(label)"), fallback: provenance(period: nil)) {
        $0.json($1, provenance: $2)
      }
    }

    var body: [ReportPart] = []
    swap(&body, &parts)
    vertical(compare)
    coldAndHot(flags)
    if d.hasSupervision && f.levelCount > 1 {
      capacity()
      remit()
    }
    coordination()
    closure(compare)
    overTime(flags, compare)
    assessment(flags)
    methods()
    swap(&body, &parts)
    // The summary first, made from what the sections found.
    heading(1, "\(d.manifest.name)：压力传导分析报告（\(label)）", "\(d.manifest.name): responsibility transmission report (\(label))")
    heading(2, "1 摘要", "1 Summary")
    if let p = previous, compare != nil {
      say(L("本报告分析 \(label) 期，并与上期（\(labels[p])）比较。", "This report analyses period \(label) and compares it with the previous period (\(labels[p]))."))
    } else if let p = previous {
      // The comparison reads the vertical drop, coordination and grades: all from scores.
      say(L("本报告分析 \(label) 期；数据集没有 scores.csv，因此不与上期（\(labels[p])）比较。", "This report analyses period \(label); the dataset has no scores.csv, so it is not compared with the previous period (\(labels[p]))."))
    } else {
      say(L("本报告分析 \(label) 期；数据集没有更早的期，因此没有与上期的比较。", "This report analyses period \(label); the dataset has no earlier period, so there is no comparison with a previous one."))
    }
    parts.append(.bullets(summary))
    parts += body
  }

  /// "下降 2.3 个百分点" / "down 2.3 percentage points" for a change in a share.
  func pointChange(_ change: Double?) -> String? {
    guard let c = change, c.isFinite, let p = previous else { return nil }
    let pts = Figures.decimal(abs(100 * c), 1)
    if pts == "0.0" { return L("与上期（\(labels[p])）持平", "unchanged on \(labels[p])") }
    return c < 0
      ? L("较上期（\(labels[p])）下降 \(pts) 个百分点", "down \(pts) percentage points on \(labels[p])")
      : L("较上期（\(labels[p])）上升 \(pts) 个百分点", "up \(pts) percentage points on \(labels[p])")
  }

  func countChange(_ change: Int?) -> String? {
    guard let c = change, let p = previous else { return nil }
    return L("上期（\(labels[p])）\(c >= 0 ? "少" : "多") \(abs(c)) 个", "\(abs(c)) \(c >= 0 ? "more" : "fewer") than in \(labels[p])")
  }

  // MARK: - 2 Vertical drop

  mutating func vertical(_ compare: CompareResult?) {
    heading(2, "2 落差：压力逐层衰减", "2 Vertical drop: how pressure fades down the levels")
    guard d.hasScores else {
      say(L("数据集没有 scores.csv，无法计算逐层传导（落差）。", "The dataset has no scores.csv, so transmission down the levels (vertical drop) cannot be computed."))
      summary.append(L("没有 scores.csv：落差、四责协同、得分的逐期变化和年度考核均未计算。", "No scores.csv: vertical drop, coordination, scores over time and assessment were not computed."))
      return
    }
    let analysis = AttenuationAnalysis(metric: .score, flagZ: b.settings.attenuation.flagZ)
    let result = analysing("attenuation") { analysis.run(d, period: t) }
    store("attenuation", result, period: labels[t]) { $0.json($1, provenance: $2) }

    // Summary sentence.
    if let r = result.endRetention {
      var s = L("压力传导到\(level(bottom))时保留 \(Figures.percent(r))（末端保留率）", "Pressure reaching the \(level(bottom)) level keeps \(Figures.percent(r)) (end retention)")
      if let c = pointChange(compare?.attenuation.endRetention.change) { s += L("，\(c)", ", \(c)") }
      if let worst = result.steps.filter({ $0.tau != nil }).min(by: { $0.tau! < $1.tau! }), let tau = worst.tau {
        s += L("；衰减最大的一步是\(level(worst.level - 1)) → \(level(worst.level))（τ = \(Figures.decimal(tau))）。",
               "; the largest drop is \(level(worst.level - 1)) → \(level(worst.level)) (τ = \(Figures.decimal(tau))).")
      } else {
        s += L("。", ".")
      }
      summary.append(s)
    }
    if let m = result.member, let tau = m.step.tau { summary.append(memberSentence(m, tau: tau)) }

    // The ladder, ending at the member when member_reach.csv gives the last step.
    let steps = result.steps.filter { $0.tau != nil }
    if !steps.isEmpty, let end = result.endRetention, let member = result.member, let tau = member.step.tau {
      let m = member.step
      let ladder = AttenuationLadder(
        labels: .init(
          title: L("层层传导到党员：各层级传导率 τ（\(labels[t])）", "Transmission down to the member, τ per step (\(labels[t]))"),
          description: L("每一层级之间的传导率及其 95% 区间，最后一步为\(level(bottom))工作覆盖党员的比率与其得分之比；以及从顶层到党员的保留率。",
                         "Each level step's transmission with its 95% interval, the last step being the share of members a \(level(bottom)) reaches against its own score; and the retention from the top to the member."),
          xAxis: L("传导率 τ（1 = 无衰减）", "Transmission τ (1 = no loss)"),
          retention: L("到党员的保留率", "Retention to the member"), reference: "τ = 1"),
        steps: steps.map { "\(level($0.level - 1)) → \(level($0.level))" } + [L("\(level(bottom)) → 党员", "\(level(bottom)) → member")],
        tau: steps.map { $0.tau! } + [tau], lower: steps.map { $0.ciLow ?? $0.tau! } + [m.ciLow ?? tau],
        upper: steps.map { $0.ciHigh ?? $0.tau! } + [m.ciHigh ?? tau],
        endRetention: member.endRetention ?? end * tau)
      chart("ladder", ladder.svg(), L("图：各层级传导率与到党员的保留率。", "Figure: transmission per step down to the member, and the retention to the member."))
    } else if !steps.isEmpty, let end = result.endRetention {
      let ladder = AttenuationLadder(
        labels: .init(
          title: L("层层传导：各层级传导率 τ（\(labels[t])）", "Transmission per level step, τ (\(labels[t]))"),
          description: L("每一层级之间的传导率及其 95% 区间，以及末端保留率。", "Each level step's transmission with its 95% interval, and the end retention."),
          xAxis: L("传导率 τ（1 = 无衰减）", "Transmission τ (1 = no loss)"),
          retention: L("末端保留率 R", "End retention R"), reference: "τ = 1"),
        steps: steps.map { "\(level($0.level - 1)) → \(level($0.level))" },
        tau: steps.map { $0.tau! }, lower: steps.map { $0.ciLow ?? $0.tau! }, upper: steps.map { $0.ciHigh ?? $0.tau! },
        endRetention: end)
      chart("ladder", ladder.svg(), L("图：各层级传导率与末端保留率。", "Figure: transmission per level step and end retention."))
    }

    // The steps, the bureaus by end retention and the most attenuated edges: the
    // analysis's own tables.
    doc(timed(.documents) { result.document(d, lang) })
    let groups = result.groups.filter { $0.endRetention != nil }.sorted { $0.endRetention! < $1.endRetention! }

    // Heat strip over the years.
    if t > 0 {
      let tops = groups.map(\.node)
      var values: [Double?] = []
      var byPeriod: [[Int: Double]] = []
      for p in 0...t {
        var m: [Int: Double] = [:]
        for g in p == t ? result.groups : analysing("attenuation", { analysis.groups(d, period: p) }) { if let e = g.endRetention { m[g.node] = e } }
        byPeriod.append(m)
      }
      for node in tops { for p in 0...t { values.append(byPeriod[p][node]) } }
      if !tops.isEmpty {
        let strip = HeatStrip(
          labels: .init(
            title: L("各\(level(0))末端保留率（\(labels[0])–\(labels[t])）", "End retention per \(level(0)) (\(labels[0])–\(labels[t]))"),
            description: L("行：\(level(0))；列：期；颜色越深保留率越高。", "Rows: \(level(0)); columns: periods; darker is higher retention."),
            legend: L("末端保留率 R", "End retention R")),
          rows: tops.map(name), columns: Array(labels[0...t]), values: values, decimals: 2)
        chart("retention-by-year", strip.svg(), L("图：各\(level(0))末端保留率的逐期变化。", "Figure: each \(level(0))'s end retention over the periods."))
      }
    }

  }

  /// The summary sentence of the member step (member_reach.csv).
  func memberSentence(_ m: AttenuationResult.MemberStep, tau: Double) -> String {
    let reached = m.nodes.reduce(Int64(0)) { $0 + $1.reached }
    let eligible = m.nodes.reduce(Int64(0)) { $0 + $1.eligible }
    let rate = eligible > 0 ? Double(reached) / Double(eligible) : nil
    let interval = m.step.ciLow.flatMap { lo in m.step.ciHigh.map { "[\(Figures.decimal(lo)), \(Figures.decimal($0))]" } }
    let flagged = m.nodes.filter { $0.flag == .attenuated }.count
    let expected = m.chanceCounts(flagZ: b.settings.attenuation.flagZ)[0].expected
    var s = L(
      "\(level(bottom))的工作覆盖了 \(Figures.percent(rate)) 的应覆盖党员；\(level(bottom)) → 党员一步的传导率 τ = \(Figures.decimal(tau))",
      "\(level(bottom).capitalized) work reaches \(Figures.percent(rate)) of the eligible members; the \(level(bottom)) → member step keeps τ = \(Figures.decimal(tau))")
    if let interval { s += " " + interval }
    s += L(
      "（相对\(level(bottom))自身得分）；\(flagged) 个\(level(bottom))衰减（纯属偶然约 \(Figures.decimal(expected, 1)) 个）。",
      " of the \(level(bottom))'s own score; \(flagged) \(flagged == 1 ? level(bottom) : plural(level(bottom))) flagged attenuated (chance alone about \(Figures.decimal(expected, 1))).")
    return s
  }

  // MARK: - 3 Cold and hot

  /// `levels`: the levels to analyse (default: every level below the top).
  mutating func coldAndHot(_ flags: PeriodFlags?, levels only: [Int]? = nil) {
    heading(2, "3 温差：监督冷热不均", "3 Cold and hot: uneven supervision")
    guard d.hasSupervision, f.levelCount > 1 else {
      say(d.hasSupervision
        ? L("组织只有一个层级，没有可比较的下级节点。", "The organisation has one level only: there are no lower levels to compare.")
        : L("数据集没有 supervision.csv，无法分析监督冷热。", "The dataset has no supervision.csv, so cold and hot supervision cannot be analysed."))
      if !d.hasSupervision {
        summary.append(L("没有 supervision.csv：监督冷热未分析。", "No supervision.csv: cold and hot supervision was not analysed."))
      }
      return
    }
    let mode = ImbalanceAnalysis.defaultAdjustment(d)
    var levelResults: [(name: String, result: ImbalanceResult)] = []
    // Each node's O/E on its own level, by node (nil: not analysed), for the icicle.
    var ratioByNode = [Double?](repeating: nil, count: f.count)
    var bottomResult: ImbalanceResult?
    for k in only ?? Array(1..<f.levelCount) {
      heading(3, "\(level(k))层", "Level: \(level(k))")
      let result: ImbalanceResult
      do {
        result = try analysing("imbalance") { try ImbalanceAnalysis(level: k, adjust: mode, settings: b.settings.imbalance).run(d, period: t) }
      } catch {
        say(L("\(level(k))层在 \(labels[t]) 期没有党员数大于 0 的节点或没有任何督查记录，无法分析。", "Level \(level(k)) has no node with members or no supervision at all in \(labels[t]); it cannot be analysed."))
        continue
      }
      levelResults.append((f.levelNames[k], result))
      for (n, node) in result.nodes.enumerated() { ratioByNode[node] = result.funnel.ratio[n] }
      if k == bottom { bottomResult = result }
      clock.time(.charts) { funnelChart(result, level: k) }
      doc(timed(.documents) { result.document(d, lang) })
    }
    // One object per level, each with its provenance; none on the whole.
    store("imbalance", levelResults, provenance: provenance(period: labels[t]), fallback: nil) { levels, d, p in
      var json = JSONObject()
      for (name, result) in levels {
        var o = result.json(d, provenance: p)
        if o["provenance"] == nil { o["provenance"] = p.json }
        json[name] = .object(o)
      }
      return json
    }

    // Summary sentence for the bottom level.
    if let r = bottomResult {
      let coldNodes = r.nodes.indices.filter { r.funnel.flags[$0] == .cold || r.funnel.flags[$0] == .cool }.map { r.nodes[$0] }
      let hot = r.funnel.flags.filter { $0 == .hot || $0 == .warm }.count
      var s = L("\(coldNodes.count) 个\(level(bottom))监督偏冷", "\(coldNodes.count) \(level(bottom)) \(en(coldNodes.count, "node is", "nodes are")) supervised too little (cold or cool)")
      if let p = previous, let flags, !coldNodes.isEmpty {
        let both = coldNodes.filter { i in flags.flags[p][i].map { $0 == .cold || $0 == .cool } ?? false }.count
        s += L("，其中 \(both) 个连续两期偏冷", ", \(both) of them in \(labels[p]) too")
      }
      s += L("；\(hot) 个偏热。", "; \(hot) \(en(hot, "is", "are")) supervised more than expected (warm or hot).")
      let blind = r.domains.filter(\.blindSpot).map { domainLabel(d.manifest.domains[$0.domain], lang) }
      if !blind.isEmpty {
        s += L("监督盲区：\(blind.joined(separator: "、"))。", " Blind spots: \(blind.joined(separator: ", ")).")
      }
      s += L("督查强度基尼系数 \(Figures.decimal(r.inequality.gini, 3))。", " Gini of intensity \(Figures.decimal(r.inequality.gini, 3)).")
      summary.append(s)

      // Domain coverage.
      if !r.domains.isEmpty {
        heading(3, "领域覆盖与盲区", "Domain coverage and blind spots")
        let cov = DomainCoverage(
          labels: .init(
            title: L("领域覆盖：监督占比与风险占比（\(level(bottom))）", "Domain coverage: supervision share against risk share (\(level(bottom)))"),
            description: L("每个领域的监督占比与风险占比；覆盖度低于 \(Figures.decimal(b.settings.imbalance.blindSpot, 2)) 为盲区。", "Each domain's share of supervision and of risk; coverage below \(Figures.decimal(b.settings.imbalance.blindSpot, 2)) is a blind spot."),
            xAxis: L("占比", "Share"), supervision: L("监督占比", "Supervision share"), risk: L("风险占比", "Risk share"),
            coverage: L("覆盖度", "Coverage"), blindSpot: L("盲区", "Blind spot")),
          domains: r.domains.map { domainLabel(d.manifest.domains[$0.domain], lang) },
          supervisionShare: r.domains.map(\.supervisionShare), riskShare: r.domains.map(\.riskShare),
          threshold: b.settings.imbalance.blindSpot)
        chart("domain-coverage", cov.svg(), L("图：各领域监督占比与风险占比。", "Figure: supervision and risk share by domain."))
      }
    }

    // The icicle.
    if levelResults.contains(where: { !$0.result.nodes.isEmpty }) {
      heading(3, "组织冷热分区图", "The organisation, cold to hot")
      clock.time(.charts) { icicle(ratioByNode) }
    }
  }

  /// The icicle of the organisation, coloured by each node's log(O/E) on its level.
  mutating func icicle(_ ratioByNode: [Double?]) {
    // The deepest level down to which the period's nodes number at most icicleLimit (the
    // top level always).
    var perLevel = [Int](repeating: 0, count: f.levelCount)
    for i in 0..<f.count where f.exists(i, in: t) { perLevel[Int(f.level[i])] += 1 }
    var maxLevel = 0
    var drawn = perLevel[0]
    while maxLevel < bottom && drawn + perLevel[maxLevel + 1] <= b.icicleLimit {
      maxLevel += 1
      drawn += perLevel[maxLevel]
    }
    var index = [Int](repeating: -1, count: f.count)  // node -> its place in the chart
    var names: [String] = []
    var parents: [Int?] = []
    var values: [Double?] = []
    var members: [Double] = []
    for i in 0..<f.count where f.exists(i, in: t) && Int(f.level[i]) <= maxLevel {
      let p = f.parent[i] >= 0 && index[Int(f.parent[i])] >= 0 ? index[Int(f.parent[i])] : nil
      if f.parent[i] >= 0 && p == nil { continue }
      index[i] = names.count
      names.append(name(i))
      parents.append(p)
      values.append(ratioByNode[i].map { $0 > 0 ? log($0) : -1 })
      members.append(Double(max(0, d.periods[t].members[i])))
    }
    let icicle = Icicle(
      labels: .init(
        title: L("组织分区图：监督强度冷热（log O/E，\(labels[t])）", "The organisation by supervision, log(O/E) (\(labels[t]))"),
        description: L("自上而下为各层级；宽度与党员数成正比；蓝色偏冷、朱红偏热，灰色为无数据。", "Levels from top to bottom; width in proportion to members; blue cold, vermillion hot, grey no data."),
        legend: "log(O/E)", cold: L("冷", "cold"), hot: L("热", "hot"),
        levels: (0...maxLevel).map(level)),
      names: names, parents: parents, values: values, sizing: .members(members), limit: 1)
    chart("icicle", icicle.svg(), L("图：组织分区图，按各节点在本层的 log(O/E) 着色（O = 0 记为 −1）。", "Figure: the organisation coloured by each node's log(O/E) on its level (O = 0 drawn as −1)."))
  }

  mutating func funnelChart(_ r: ImbalanceResult, level k: Int) {
    let fit = r.funnel
    let e = r.expected.filter { $0 > 0 && $0.isFinite }
    guard let lo = e.min(), let hi = e.max() else { return }
    let a = log(max(lo * 0.8, 0.05))
    let z = log(hi * 1.25)
    let grid = (0..<60).map { exp(a + (z - a) * Double($0) / 59) }
    // The curves come from the same rule as the nodes' own limits (the fit's tau2 and
    // method); the plain Poisson ones are drawn beside them when the level is overdispersed.
    let model = ChuandaoStats.FunnelPlot(dispersion: fit.dispersion)
    func curves(_ tau2: Double?) -> ChuandaoReport.FunnelPlot.Limits {
      let l = grid.map { model.limits(expected: $0, tau2: tau2) }
      return .init(
        expected: grid, lower95: l.map(\.lower95), upper95: l.map(\.upper95), lower998: l.map(\.lower998),
        upper998: l.map(\.upper998))
    }
    let used = curves(fit.tau2)
    let shownPlain = fit.overdispersed ? curves(nil) : nil
    let idx = r.nodes.indices.filter { r.expected[$0] > 0 && r.expected[$0].isFinite && fit.ratio[$0].isFinite }
    let flagWords: [FunnelFlag: String] = [
      .cold: L("冷", "cold"), .cool: L("偏冷", "cool"), .normal: L(idx.count > 2000 ? "正常（密度）" : "正常", idx.count > 2000 ? "normal (density)" : "normal"),
      .warm: L("偏热", "warm"), .hot: L("热", "hot"),
    ]
    let plot = ChuandaoReport.FunnelPlot(
      labels: .init(
        title: L("\(level(k))层漏斗图（监督 O/E，\(labels[t])）", "Funnel plot of level \(level(k)) (supervision O/E, \(labels[t]))"),
        description: L("\(idx.count) 个节点的观察值与期望值之比，按期望督查次数（对数刻度）排列。", "Observed over expected for \(idx.count) nodes, against the expected count (log scale)."),
        xAxis: L("期望督查次数 E", "Expected count E"), yAxis: L("观察/期望 O/E", "Observed / expected"), flags: flagWords,
        limits95: L("95% 控制限", "95% limits"), limits998: L("99.8% 控制限", "99.8% limits"),
        plainLimits: L("泊松控制限（未校正过度离散）", "Poisson limits (no overdispersion)"), target: "O/E = 1"),
      names: idx.map { name(r.nodes[$0]) }, expected: idx.map { r.expected[$0] }, ratio: idx.map { fit.ratio[$0] },
      flags: idx.map { ChuandaoReport.FunnelFlag(rawValue: fit.flags[$0].rawValue) ?? .normal }, limits: used, plainLimits: shownPlain,
      density: idx.count > 2000 ? .init() : nil)
    chart("funnel-\(f.levelNames[k])", plot.svg(), L("图：\(level(k))层漏斗图；控制限之外的节点标出名称。", "Figure: funnel plot of level \(level(k)); nodes outside the limits are named."))
  }

  // MARK: - 4 Coordination

  mutating func coordination() {
    heading(2, "4 四责协同", "4 The four responsibilities")
    guard d.hasScores else {
      say(L("数据集没有 scores.csv，无法分析四责协同。", "The dataset has no scores.csv, so the coordination of the four responsibilities cannot be analysed."))
      return
    }
    let result = analysing("coordination") { CoordinationAnalysis(siloGap: b.settings.coordination.siloGap).run(d, period: t) }
    store("coordination", result, period: labels[t]) { $0.json($1, provenance: $2) }
    let silos = result.nodes.filter(\.silo).sorted { $0.gap > $1.gap }
    let bottomIndex = result.levels.first { $0.level == bottom }?.meanIndex
    summary.append(
      L("四责协同：\(silos.count) 个节点“各扫门前雪”（某一主体落后其余均值 \(Figures.decimal(b.settings.coordination.siloGap, 0)) 分以上）",
        "Coordination: \(silos.count) \(en(silos.count, "node is a silo", "nodes are silos")) (one subject \(Figures.decimal(b.settings.coordination.siloGap, 0)) points or more behind the others)")
        + (bottomIndex.map { L("，\(level(bottom))层平均协同指数 \(Figures.decimal($0, 3))。", "; the mean coordination index of level \(level(bottom)) is \(Figures.decimal($0, 3)).") } ?? L("。", ".")))
    doc(timed(.documents) { result.document(d, lang) })
    let shown = Array(silos.prefix(30))
    if !shown.isEmpty {
      let subjects = d.manifest.subjects
      let S = subjects.count
      var scores: [Double?] = []
      for row in shown {
        for s in 0..<S {
          let v = d.periods[t].scores[row.node * S + s]
          scores.append(v.isFinite ? v : nil)
        }
      }
      let dots = SubjectDotPlot(
        labels: .init(
          title: L("“各扫门前雪”节点的四类主体得分（\(labels[t])）", "The four subjects of the silo nodes (\(labels[t]))"),
          description: L("每行一个“各扫门前雪”节点（按差距由大到小，至多 30 个），四种形状代表四类责任主体。", "One row per silo node (largest gap first, at most 30); one shape per subject."),
          xAxis: L("得分", "Score")),
        subjects: subjects.map { subjectLabel($0, lang) }, nodes: shown.map { name($0.node) }, scores: scores)
      chart("silo-subjects", dots.svg(), L("图：“各扫门前雪”节点的四类主体得分。", "Figure: the four subjects' scores of the silo nodes."))
    }
  }

  // MARK: - 5 Closure

  mutating func closure(_ compare: CompareResult?) {
    heading(2, "5 三张清单闭环", "5 The three lists: closing the loop")
    guard d.file("problems.csv") != nil else {
      say(L("数据集没有 problems.csv，无法分析三张清单闭环。", "The dataset has no problems.csv, so the closed loop of the three lists cannot be analysed."))
      summary.append(L("没有 problems.csv：三张清单闭环未分析。", "No problems.csv: the closed loop of the three lists was not analysed."))
      return
    }
    guard let day = ClosureAnalysis.defaultAsOf(d, period: t) else {
      say(L("\(labels[t]) 期在 dataset.yaml 中没有 period_end，无法确定截止日期。", "Period \(labels[t]) has no period_end in dataset.yaml, so there is no as-of date."))
      return
    }
    let result = analysing("closure") { ClosureAnalysis(asOf: day).run(d, period: t) }
    store("closure", result, period: labels[t]) { $0.json($1, provenance: $2) }
    var total = ClosureResult.Counts()
    for (n, node) in result.nodes.enumerated() where f.level[node] == 0 { total += result.counts[n] }
    if let index = total.closureIndex {
      var s = L("三张清单：\(total.problems) 个问题中 \(total.onTime) 个按时整改，闭环指数 \(Figures.percent(index))", "The three lists: \(total.onTime) of \(total.problems) problems were fixed on time, a closure index of \(Figures.percent(index))")
      if let c = pointChange(compare?.closure?.all.closureIndex.change) { s += L("，\(c)", ", \(c)") }
      s += L("；逾期 \(total.overdue) 个。", "; overdue: \(total.overdue).")
      summary.append(s)
      let funnel = ClosureFunnel(
        labels: .init(
          title: L("三张清单闭环（\(labels[t])）", "Closing the loop of the three lists (\(labels[t]))"),
          description: L("问题总数、有责任人、有项目、已完成、按时完成的数量与占比。", "Problems, owned, planned, done and done on time, with their shares.")),
        stages: [L("问题", "Problems"), L("有责任人", "Owned"), L("有项目", "Planned"), L("已完成", "Done"), L("按时完成", "On time")],
        counts: [total.problems, total.owned, total.planned, total.done, total.onTime])
      chart("closure-funnel", funnel.svg(), L("图：从问题到按时完成，每一步留下多少。", "Figure: from problems to finishes on time, how many remain at each step."))
    } else {
      say(L("\(labels[t]) 期没有问题记录。", "Period \(labels[t]) has no problems."))
    }
    doc(timed(.documents) { result.document(d, lang) })
  }

  // MARK: - 6 Over time

  mutating func overTime(_ flags: PeriodFlags?, _ compare: CompareResult?) {
    heading(2, "6 逐期变化", "6 Over time")
    guard t > 0 else {
      say(L("数据集在 \(labels[t]) 之前没有其他期，无法分析逐期变化。", "The dataset has no period before \(labels[t]), so there is nothing to follow over time."))
      return
    }
    guard d.hasScores else {
      say(L("数据集没有 scores.csv，无法分析得分的逐期变化。", "The dataset has no scores.csv, so scores cannot be followed over time."))
      return
    }
    let result = analysing("trend") { TrendAnalysis(metric: .score, settings: b.settings.trend).run(d, through: t, flags: flags) }
    store("trend", result, period: labels[t]) { $0.json($1, provenance: $2) }
    let cold = result.series.filter { $0.persistent == .cold }
    summary.append(L("\(cold.count) 个节点监督持续冷（最近 \(b.settings.trend.persistentOfLast) 期中至少 \(b.settings.trend.persistentAtLeast) 期）。",
                     "\(cold.count) \(en(cold.count, "node is", "nodes are")) persistently cold in supervision (cold in at least \(b.settings.trend.persistentAtLeast) of the last \(b.settings.trend.persistentOfLast) periods)."))
    let series = result.series
    let sloped = series.indices.filter { series[$0].persistent != .cold && series[$0].slope != nil }
    let bySlope = firstIndices(max(0, 12 - cold.count), of: sloped.count) {
      abs(series[sloped[$0]].slope!) > abs(series[sloped[$1]].slope!)
    }.map { series[sloped[$0]] }
    let picked = Array((cold + bySlope).prefix(12))
    if !picked.isEmpty {
      let n = picked[0].values.count
      let values = picked.flatMap { s in (0..<n).map { $0 < s.values.count ? s.values[$0] : nil } }
      let multiples = SmallMultiples(
        labels: .init(
          title: L("得分逐期变化：持续冷及变化最大的节点", "Scores over time: persistently cold nodes and the largest slopes"),
          description: L("每格一个节点（持续冷者在前，其余按 Theil-Sen 斜率绝对值），纵轴共用。", "One panel per node (persistently cold first, then by |Theil-Sen slope|); a shared vertical axis."),
          yAxis: L("得分", "Score")),
        panels: picked.map { name($0.node) }, xLabels: Array(labels.prefix(n)), values: values)
      chart("trends", multiples.svg(), L("图：至多 12 个节点的得分序列。", "Figure: the score series of at most 12 nodes."))
    }
    doc(timed(.documents) { result.document(d, lang) })
    if let compare {
      heading(3, "与上期比较（\(labels[t - 1]) → \(labels[t])）", "Compared with the previous period (\(labels[t - 1]) → \(labels[t]))")
      doc(timed(.documents) { compare.document(d, lang) })
    }
  }

  // MARK: - 7 Assessment

  mutating func assessment(_ flags: PeriodFlags?) {
    heading(2, "7 年度考核", "7 Annual assessment")
    guard d.hasScores else {
      say(L("数据集没有 scores.csv，无法计算年度考核。", "The dataset has no scores.csv, so there is no assessment."))
      return
    }
    let analysis = AssessAnalysis(settings: b.settings.assess, siloGap: b.settings.coordination.siloGap)
    guard analysis.unknownGoalpostLevels(d).isEmpty else {
      say(L("设置中的 assess.goalposts 指向数据集没有的层级，未计算年度考核。", "The settings' assess.goalposts name a level the dataset does not have, so there is no assessment."))
      return
    }
    let result = analysing("assess") { analysis.run(d, period: t, flags: flags, imbalance: b.settings.imbalance) }
    store("assess", result, period: labels[t]) { $0.json($1, provenance: $2) }
    let nodes = result.nodes
    let graded = nodes.indices.filter { Int(f.level[nodes[$0].node]) == bottom && nodes[$0].grade != nil }
    let poor = graded.filter { nodes[$0].grade == 3 }.count
    summary.append(L("年度考核：\(level(bottom))层 \(graded.count) 个节点中 \(poor) 个为较差。", "Assessment: \(poor) of the \(graded.count) graded \(level(bottom)) nodes \(en(poor, "is", "are")) poor."))
    doc(timed(.documents) { result.document(d, lang) })
    let ranked = nodes.indices.filter {
      Int(f.level[nodes[$0].node]) == bottom && nodes[$0].rankMedian != nil && nodes[$0].rankP05 != nil && nodes[$0].rankP95 != nil
    }
    // The 30 largest median ranks (ties in node order), shown from the smallest.
    let lowest = firstIndices(30, of: ranked.count) { nodes[ranked[$0]].rankMedian! > nodes[ranked[$1]].rankMedian! }
      .map { nodes[ranked[$0]] }.sorted { $0.rankMedian! < $1.rankMedian! }
    if lowest.isEmpty {
      say(L("没有权重抽样（assess.uncertainty.draws = 0），因此没有排名区间图。", "There were no weight draws (assess.uncertainty.draws = 0), so there is no chart of rank bands."))
      return
    }
    let plot = CaterpillarPlot(
      labels: .init(
        title: L("\(level(bottom))层排名最低的 \(lowest.count) 个节点：排名及其 5–95% 区间", "The \(lowest.count) lowest-ranked \(level(bottom)) nodes: rank with its 5–95% band"),
        description: L("\(result.draws) 次权重抽样下的排名中位数与 5–95% 区间，按中位数排序。", "Median rank and 5–95% band over \(result.draws) weight draws, sorted by the median."),
        xAxis: L("排名（1 = 最好）", "Rank (1 = best)"),
        grades: [.excellent: gradeText(0, lang), .good: gradeText(1, lang), .fair: gradeText(2, lang), .poor: gradeText(3, lang)]),
      names: lowest.map { name($0.node) }, median: lowest.map { $0.rankMedian! }, lower: lowest.map { $0.rankP05! },
      upper: lowest.map { $0.rankP95! }, grades: lowest.map { Grade(rawValue: $0.grade ?? 3) ?? .poor })
    chart("rank-bands", plot.svg(), L("图：排名区间（毛毛虫图）。", "Figure: rank bands (caterpillar plot)."))
  }

  // MARK: - 8 Methods

  mutating func methods() {
    let s = b.settings
    heading(2, "8 方法附录", "8 Methods appendix")
    parts.append(.bullets([
      L("落差：各层级传导率 τ 为每个上级下属与其得分比值的对数均值再取指数，区间为上级层面的 95% t 区间；末端保留率为各层 τ 之积；|z| ≥ \(Figures.decimal(s.attenuation.flagZ, 1)) 的关系被标记；最底层方差分量用 REML 估计（docs/methods.md 第 2 节）。",
        "Vertical drop: each level step's τ is the exponential of the mean log ratio of children to parent, taken over parents, with a parent-level 95% t-interval; end retention is the product of the τs; edges with |z| ≥ \(Figures.decimal(s.attenuation.flagZ, 1)) are flagged; the bottom level's variance components are fitted by REML (docs/methods.md section 2).")
        + (d.hasMemberReach
          ? L("最后一步（\(level(bottom)) → 党员）：各\(level(bottom))覆盖党员的比率（覆盖 + 0.5）/（应覆盖 + 0.5），乘以 100，与其自身得分之比，按\(level(bottom))取 t 区间（docs/methods/member-reach.md）。",
              " The last step (\(level(bottom)) → member): each \(level(bottom))'s share of members reached, (reached + 0.5) / (eligible + 0.5) times 100, against its own score, with a t-interval over the \(plural(level(bottom))) (docs/methods/member-reach.md).")
          : ""),
      L("温差：期望督查次数按党员数（有 risks.csv 时用泊松广义线性模型按风险调整）；漏斗图用精确泊松界限，过度离散时用负二项界限（Spiegelhalter 2005，经一致性修正，方式：\(s.imbalance.dispersion.rawValue)）；不平等用基尼系数、泰尔指数和变异系数；覆盖度低于 \(Figures.decimal(s.imbalance.blindSpot, 2)) 的领域为盲区（第 3 节）。",
        "Cold and hot: expected counts from members (risk-adjusted by a Poisson GLM when risks.csv has rows); exact Poisson funnel limits, negative-binomial ones when overdispersed (Spiegelhalter 2005, made consistent; dispersion: \(s.imbalance.dispersion.rawValue)); inequality as Gini, Theil and CV; domains with coverage below \(Figures.decimal(s.imbalance.blindSpot, 2)) are blind spots (section 3)."),
      L("四责协同：协同指数由四类主体得分的离散程度计算；某一主体落后其余均值 \(Figures.decimal(s.coordination.siloGap, 0)) 分以上为“各扫门前雪”（第 4 节）。",
        "Coordination: the index from the spread of the four subjects' scores; a node with one subject \(Figures.decimal(s.coordination.siloGap, 0)) points or more behind the others is a silo (section 4)."),
      L("三张清单：截至各期 period_end，问题的责任人、项目、完成与按时完成；闭环指数 = 按时完成数 / 问题数（第 5 节）。",
        "The three lists: owners, projects, finishes and finishes on time of the problems as of each period's period_end; closure index = on time / problems (section 5)."),
      L("逐期变化：Theil-Sen 斜率与 Mann-Kendall 检验（α = \(Figures.decimal(s.trend.alpha, 2))）；最近 \(s.trend.persistentOfLast) 期中至少 \(s.trend.persistentAtLeast) 期为冷即持续冷（第 6 节）。",
        "Over time: Theil-Sen slope and Mann-Kendall test (α = \(Figures.decimal(s.trend.alpha, 2))); cold in at least \(s.trend.persistentAtLeast) of the last \(s.trend.persistentOfLast) periods is persistently cold (section 6)."),
      L("年度考核：各指标按层级目标值归一后加权合成（权重 \(s.assess.weights.map { Figures.decimal($0, 2) }.joined(separator: "、"))），按名次分档；\(s.assess.draws) 次 Dirichlet 权重抽样（集中度 \(Figures.decimal(s.assess.concentration, 0))，种子 \(s.assess.seed)）给出排名区间（OECD/JRC 合成指标手册；第 7 节）。",
        "Assessment: indicators normalised within level against goalposts and combined with weights \(s.assess.weights.map { Figures.decimal($0, 2) }.joined(separator: ", ")), graded by rank; \(s.assess.draws) Dirichlet weight draws (concentration \(Figures.decimal(s.assess.concentration, 0)), seed \(s.assess.seed)) give the rank bands (OECD/JRC handbook on composite indicators; section 7)."),
    ]))
    say(settingsLine)
    heading(3, "出处", "Provenance")
    let p = provenance(period: labels[t])
    var table = Table([Column(L("文件", "File"), .name()), Column("SHA-256")])
    for input in p.inputs { table.add([.text(input.file), .text(input.sha256)]) }
    doc(Document([Section(nil, [.table(table)])]))
    parts.append(.bullets([
      L("版本：chuandao \(p.version)", "Version: chuandao \(p.version)"),
      L("命令：\(p.command)", "Command: \(p.command)"),
      L("生成时间：\(p.generatedAt)", "Generated at: \(p.generatedAt)"),
    ] + (p.configSHA256.map { [L("设置文件 SHA-256：\($0)", "Settings file SHA-256: \($0)")] } ?? [])))
  }

  var settingsLine: String {
    let line = b.settingsLine
    return line.hasSuffix("\n") ? String(line.dropLast()) : line
  }
}
