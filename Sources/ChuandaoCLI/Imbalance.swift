import ArgumentParser
import Chuandao
import ChuandaoReport

extension ImbalanceAnalysis.Adjustment: ExpressibleByArgument {}

struct Imbalance: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: help("温差（冷热不均）：哪些单位受到的监督明显偏少或偏多。", "Horizontal spread (温差, 冷热不均): which units are supervised too little or too much."),
    discussion: helpText(help("""
      按每个节点的党员数（用 --adjust risk 时还按各领域的廉政风险，通过泊松广义线性模型）计算期望督查次数，与实际次数比较；漏斗图在不过度离散时用精确泊松界限，过度离散时用按随机效应放宽的精确负二项界限；列出偏冷和偏热的节点、各领域督查与风险的覆盖度及盲区、督查强度的基尼系数、泰尔指数和变异系数、前期提醒占比（docs/methods.md 第 3 节）。

      设置（--config）：imbalance.blind_spot（覆盖度低于此值的领域为盲区，默认 0.5）和 imbalance.dispersion：consistent（默认）或 spiegelhalter（FunnelPlotR 和英国 NHS 的经典方法：phi 不校正，平方根尺度上的正态界限；见 docs/imbalance.md）。

      每个被标记的名单都给出纯属偶然会标记多少个（该层节点数乘以名义比例：冷 0.1%、偏冷 2.4%、偏热 2.4%、热 0.1%）：1000 个节点的层级约有 24 个因偶然而偏冷。--fdr Q 改为列出 Benjamini-Hochberg q 值不超过 Q 的节点，控制误报所占比例（docs/flags-and-chance.md）。

      示例：
        chuandao imbalance datasets/sample
        chuandao imbalance datasets/sample --level unit --adjust none --lang en
        chuandao imbalance datasets/sample --format csv --out funnel.csv
        chuandao imbalance datasets/sample --fdr 0.05
      """, """
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
      """)))

  @OptionGroup var dataset: DatasetArgument
  @OptionGroup var options: CommonOptions

  @Option(help: optionHelp("要分析的层级（层级名称；默认最底层）。", "Level to analyse (a level name; default: the bottom level)."))
  var level: String?

  @Option(help: optionHelp("none 或 risk（默认：risks.csv 有数据时为 risk，否则 none）。", "none or risk (default: risk when risks.csv has rows, else none)."))
  var adjust: ImbalanceAnalysis.Adjustment?

  @OptionGroup var fdr: FDROption

  func run() throws {
    let lang = options.lang
    let (settings, data, digests) = try options.load(dataset)
    let levels = data.manifest.levels
    let k = try resolveLevel(level, in: data, lang: lang) ?? levels.count - 1
    try requireFile("supervision.csv", in: data, lang: lang)
    let mode = try resolveAdjustment(adjust, in: data, lang: lang)
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
    let annotate = try overrides(.imbalance, period: data.manifest.periods[t], data: data, lang: lang)
    try publish(dataset: dataset.dataset, digests: digests, period: data.manifest.periods[t], options: options) {
      annotate(CommandOutput(json: result.json(data, provenance: $0), csvRows: result.csvRows(data), document: result.document(data, lang)))
    }
  }
}

/// `--adjust` as given, else the dataset's default; `risk` without risks.csv rows is a
/// usage error (exit 1). For `imbalance` and `capacity`, which fit the same model.
func resolveAdjustment(
  _ adjust: ImbalanceAnalysis.Adjustment?, in data: Dataset, lang: Language
) throws -> ImbalanceAnalysis.Adjustment {
  let mode = adjust ?? ImbalanceAnalysis.defaultAdjustment(data)
  if mode == .risk && !data.hasRisks {
    printError(lang.pick(
      "错误：--adjust risk 需要有数据的 risks.csv，数据集中没有",
      "error: --adjust risk needs a risks.csv with rows, and the dataset has none"))
    throw ExitCode(1)
  }
  return mode
}
