import ArgumentParser
import Chuandao
import ChuandaoReport

extension ImbalanceAnalysis.Adjustment: ExpressibleByArgument {}

struct Imbalance: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Horizontal spread (温差, 冷热不均): which units are supervised too little or too much.",
    discussion: helpText("""
      Observed supervision actions against the expected number for each node's members
      (and, with --adjust risk, its integrity-risk exposure by domain, through a Poisson
      GLM), on a funnel plot with exact Poisson limits, or, when the level is
      overdispersed, exact negative-binomial limits widened by the random effect; the cold
      and hot nodes; domain coverage against risk and blind spots; Gini, Theil and CV of
      intensity; the early-reminder share (docs/methods.md section 3).

      Settings (--config): imbalance.blind_spot (coverage below which a domain is a blind
      spot, default 0.5) and imbalance.dispersion: consistent (default) or spiegelhalter
      (the classic method of FunnelPlotR and NHS practice: unscaled phi and normal limits
      on the square-root scale; see docs/imbalance.md).

      Each list of flagged nodes says how many flags chance alone would give (the level's
      nodes times the nominal rate: 0.1% cold, 2.4% cool, 2.4% warm, 0.1% hot): on a level
      of 1,000 nodes about 24 are cool by chance. --fdr Q lists the nodes whose
      Benjamini-Hochberg q-value is at most Q instead, controlling the share of false
      findings (docs/flags-and-chance.md).

      Examples:
        chuandao imbalance datasets/sample
        chuandao imbalance datasets/sample --level unit --adjust none --lang en
        chuandao imbalance datasets/sample --format csv --out funnel.csv
        chuandao imbalance datasets/sample --fdr 0.05
      """))

  @OptionGroup var dataset: DatasetArgument
  @OptionGroup var options: CommonOptions

  @Option(help: "Level to analyse (a level name; default: the bottom level).")
  var level: String?

  @Option(help: "none or risk (default: risk when risks.csv has rows, else none).")
  var adjust: ImbalanceAnalysis.Adjustment?

  @OptionGroup var fdr: FDROption

  func run() throws {
    let lang = options.lang
    let (settings, data, digests) = try options.load(dataset)
    let levels = data.manifest.levels
    var k = levels.count - 1
    if let level {
      guard let i = levels.firstIndex(of: level) else {
        printError(lang.pick(
          "错误：未知的层级 '\(level)'（可用：\(levels.joined(separator: "、"))）",
          "error: unknown level '\(level)' (the dataset's levels: \(levels.joined(separator: ", ")))"))
        throw ExitCode(1)
      }
      k = i
    }
    try requireFile("supervision.csv", in: data, lang: lang)
    let mode = adjust ?? ImbalanceAnalysis.defaultAdjustment(data)
    if mode == .risk && !data.hasRisks {
      printError(lang.pick(
        "错误：--adjust risk 需要有数据的 risks.csv，数据集中没有",
        "error: --adjust risk needs a risks.csv with rows, and the dataset has none"))
      throw ExitCode(1)
    }
    let t = try resolvePeriod(options.period, in: data, lang: lang)
    let result: ImbalanceResult
    do {
      result = try ImbalanceAnalysis(level: k, adjust: mode, settings: settings.imbalance, fdr: fdr.fdr).run(data, period: t)
    } catch ImbalanceError.noNodes {
      printError(lang.pick(
        "错误：\(levels[k]) 层在 \(data.manifest.periods[t]) 期没有党员数大于 0 的节点",
        "error: level \(levels[k]) has no node with members > 0 in period \(data.manifest.periods[t])"))
      throw ExitCode(2)
    } catch ImbalanceError.noSupervisionInLevel {
      printError(lang.pick(
        "错误：\(levels[k]) 层在 \(data.manifest.periods[t]) 期没有任何督查记录，无法拟合",
        "error: level \(levels[k]) has no supervision at all in period \(data.manifest.periods[t]); nothing to fit"))
      throw ExitCode(2)
    }
    for note in result.notes { printError(lang.pick("注：", "note: ") + note.text(lang)) }
    try publish(dataset: dataset.dataset, digests: digests, period: data.manifest.periods[t], options: options) {
      CommandOutput(json: result.json(data, provenance: $0), csvRows: result.csvRows(data), document: result.document(data, lang))
    }
  }
}
