import ArgumentParser
import Chuandao
import ChuandaoReport
import ChuandaoStore
import Foundation
import _ChuandaoOutput

struct Assess: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: help("年度考核数据：指标、综合得分、排名、等级及其不确定性。", "Feed the annual assessment (年度考核): indicators, composite, rank, grade and their uncertainty."),
    discussion: helpText(help("""
      每个节点五项指标（评分、传导、均衡、闭环、协同），在层内按覆盖所有各期的固定上下限（或在设置中冻结的上下限）归一到 0-100；加权综合得分（缺失的指标不计，权重重新归一）；层内排名和等级；拉低综合得分最多的两项指标；领导干部的综合得分；以及在权重的 Dirichlet 抽样下排名的 5%-95% 区间和等级稳定性（docs/methods.md 第 7 节）。权重、等级界限、领导干部的权重、抽样次数和上下限来自 --config；带注释的示例见 datasets/sample/assess.yaml。

      等级按层内排名而定，不按综合得分本身：用 Hazen 百分位 q = (排名 - 0.5)/n，q <= 0.15 为优秀，<= 0.85 良好，<= 0.95 一般，其余较差（assess.grades）；一个层级只有一个节点时为良好。

      示例：
        chuandao assess datasets/sample
        chuandao assess datasets/sample --config datasets/sample/assess.yaml
        chuandao assess datasets/sample --format csv --out assess.csv
        chuandao assess datasets/sample --period 2024 --format json
      """, """
      Five indicators per node (score, transmission, balance, closure, coordination),
      normalised within level to 0-100 against goalposts fixed over all periods (or
      frozen in the settings), a weighted composite (missing indicators drop out and the
      weights are renormalised), rank and grade within level, the two indicators that
      pull each composite down most, the leaders' composites, and the ranks' 5-95% band
      and grade stability over Dirichlet draws of the weights (docs/methods.md section 7).
      Weights, grade bands, leader shares, draws and goalposts come from --config; see
      datasets/sample/assess.yaml for a documented example.

      Grades go by the rank within level, not by the composite itself: with the Hazen
      percentile q = (rank - 0.5)/n, q <= 0.15 is excellent, <= 0.85 good, <= 0.95 fair,
      the rest poor (assess.grades); the only node of a level is good.

      Examples:
        chuandao assess datasets/sample
        chuandao assess datasets/sample --config datasets/sample/assess.yaml
        chuandao assess datasets/sample --format csv --out assess.csv
        chuandao assess datasets/sample --period 2024 --format json
      """)))

  @OptionGroup var dataset: DatasetArgument
  @OptionGroup var options: CommonOptions

  @Option(help: optionHelp("与 --store 一起：把这次考核以该名称发布到存储库（上下限、权重、设置和每一行；发布后不再改写）。", "With --store: publish this assessment in the store under this name (goalposts, weights, settings and every row; never rewritten afterwards)."))
  var publish: String?

  @Option(help: optionHelp("与 --publish 一起：发布人。", "With --publish: who publishes it."))
  var by: String?

  @Flag(help: optionHelp("与 --store 一起：不沿用该期已发布考核的上下限，而按数据重新计算。", "With --store: do not reuse the goalposts of the period's published assessment; compute them from the data."))
  var freshGoalposts = false

  func validate() throws {
    if (publish != nil || freshGoalposts) && dataset.store == nil {
      throw ValidationError(help("--publish 和 --fresh-goalposts 需要 --store", "--publish and --fresh-goalposts need --store"))
    }
    if by != nil && publish == nil {
      throw ValidationError(help("--by 只能与 --publish 一起使用", "--by needs --publish"))
    }
    if let publish, publish.trimmingCharacters(in: .whitespaces).isEmpty {
      throw ValidationError(help("--publish 的名称不能为空", "--publish needs a name"))
    }
  }

  func run() throws {
    let lang = options.lang
    let (settings, data, digests) = try options.load(dataset)
    try requireFile("scores.csv", in: data, lang: lang)
    var analysis = AssessAnalysis(settings: settings.assess, siloGap: settings.coordination.siloGap)
    // For measuring the estimated rank bands against exact ones (docs/assess-scale.md).
    if let budget = ProcessInfo.processInfo.environment["CHUANDAO_EXACT_RANK_BUDGET"].flatMap(Int.init) {
      analysis.exactRankBudget = budget
    }
    let unknown = analysis.unknownGoalpostLevels(data)
    if !unknown.isEmpty {
      let levels = data.manifest.levels
      printError(lang.pick(
        "\(options.config ?? ""): error: 'assess.goalposts' 中的层级 \(unknown.joined(separator: "、")) 不在数据集中（层级：\(levels.joined(separator: "、"))）",
        "\(options.config ?? ""): error: 'assess.goalposts' names the level \(unknown.joined(separator: ", ")), which the dataset does not have (its levels: \(levels.joined(separator: ", ")))"))
      throw ExitCode(1)
    }
    let t = try resolvePeriod(options.period, in: data, lang: lang)
    let session = StoreSession.current
    if let name = publish, let session {
      // Refused before the work: a published name is never published again.
      let existing: Publication?
      do { existing = try session.store.publication(named: name) } catch { throw storeFailure(error, lang: lang) }
      if let existing {
        printError(lang.pick(
          "错误：'\(name)' 已于 \(existing.publishedAt) 发布；已发布的考核不会被改写。请另取一个名称",
          "error: '\(name)' was published on \(existing.publishedAt); a published assessment is never rewritten. Choose another name"))
        throw ExitCode(1)
      }
    }
    if let session, !freshGoalposts {
      // Last year's grades stay last year's: a published cycle keeps its goalposts.
      do {
        if let (name, posts) = try session.store.publishedGoalposts(period: data.manifest.periods[t]) {
          for (level, byIndicator) in posts {
            for (indicator, post) in byIndicator { analysis.settings.goalposts[level, default: [:]][indicator] = post }
          }
          printError(lang.pick(
            "注：\(data.manifest.periods[t]) 期沿用已发布考核 '\(name)' 的上下限（--fresh-goalposts 则按数据重新计算）",
            "note: period \(data.manifest.periods[t]) uses the goalposts of the published assessment '\(name)' (--fresh-goalposts computes them from the data)"))
        }
      } catch {
        throw storeFailure(error, lang: lang)
      }
    }
    if data.manifest.periodEnd[t] == nil {
      printError(lang.pick(
        "注：\(data.manifest.periods[t]) 期没有 period_end，闭环指标不参与（权重按其余指标重新归一）",
        "note: period \(data.manifest.periods[t]) has no period_end, so the closure indicator drops out (the other weights are renormalised)"))
    }
    // Exact ranks within their budget and histograms above it still take memory: refuse,
    // before any work, a run that cannot fit in what this machine has left, and say how many
    // draws would.
    let need = analysis.uncertaintyBytes(data, period: t)
    let budget = 0.75 * Double(ProcessInfo.processInfo.physicalMemory) - Double(residentBytes())
    if need > budget {
      let draws = settings.assess.draws
      let fits = max(0, Int(Double(draws) * budget / need))
      let gb = { (x: Double) in String(format: "%.1f", max(0, x) / 1e9) }
      printError(lang.pick(
        "错误：\(draws) 次权重抽样约需 \(gb(need)) GB 内存，本机余下可用约 \(gb(budget)) GB；请在 --config 中把 assess.uncertainty.draws 设为不超过 \(fits)（或 0，不做不确定性分析）",
        "error: \(draws) weight draws need about \(gb(need)) GB of memory, and this machine has about \(gb(budget)) GB left; set assess.uncertainty.draws in --config to at most \(fits) (or 0 for no uncertainty)"))
      throw ExitCode(1)
    }
    let stages = StageReporter(lang: lang)
    let result = analysis.run(data, period: t, imbalance: settings.imbalance) { stage in
      switch stage {
      case .flags: stages.begin("判定各期冷热", "flagging cold and hot nodes in every period")
      case .indicators: stages.begin("计算各期指标", "computing the indicators of every period")
      case .uncertainty(let draws):
        stages.begin("综合得分与 \(draws) 次权重抽样", "composites and \(draws) weight draws")
      }
    }
    stages.end()
    for note in result.notes { printError(lang.pick("注：", "note: ") + note.text(lang)) }
    if let name = publish, let session {
      let provenance = storeProvenance(Provenance(digests: digests, command: commandLine, period: data.manifest.periods[t]))
      var posts: [String: [String: Settings.Goalpost]] = [:]
      for (k, level) in data.forest.levelNames.enumerated() where k < result.goalposts.count {
        for (j, indicator) in AssessAnalysis.indicators.enumerated() where j < result.goalposts[k].count {
          if let p = result.goalposts[k][j] { posts[level, default: [:]][indicator] = p }
        }
      }
      let settingsText = options.config.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }
      do {
        try session.store.publish(
          name: name, period: data.manifest.periods[t], by: by, settings: settingsText, settingsSHA256: digests.config,
          goalposts: posts, document: result.json(data, provenance: provenance), revisions: session.composed.provenance["revisions"] ?? .null)
      } catch {
        throw storeFailure(error, lang: lang)
      }
      printError(lang.pick(
        "已把 \(data.manifest.periods[t]) 期的考核以 '\(name)' 发布到 \(session.store.location)（\(result.nodes.count) 行）",
        "published the assessment of period \(data.manifest.periods[t]) as '\(name)' in \(session.store.location) (\(result.nodes.count) rows)"))
    }
    let annotate = try overrides(.assess, period: data.manifest.periods[t], data: data, lang: lang)
    try ChuandaoCLI.publish(dataset: dataset.dataset, digests: digests, period: data.manifest.periods[t], options: options) {
      annotate(CommandOutput(json: result.json(data, provenance: $0), csvRows: result.csvRows(data), document: result.document(data, lang)))
    }
  }
}
