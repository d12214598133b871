import ArgumentParser
import Chuandao
import ChuandaoReport

/// `chuandao compare DATASET --from P --to Q`: two periods side by side (同比).
struct Compare: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: help("同比：两期的各项分析结果和节点标记并列比较。", "Year on year (同比): each analysis's figures and node flags in two periods side by side."),
    discussion: helpText(help("""
      用相同的设置分别分析 P 期（--from）和 Q 期（--to），并列给出变化 Q - P：各层级的传导率 tau 和末端保留率（总体和每个顶层单位）；最底层冷、偏冷、偏热、热的个数、phi 和基尼系数，以及标记有变化的节点；各层的平均协同指数，以及开始或不再“各扫门前雪”的节点；闭环指数（总体和每个顶层单位，需有 problems.csv 且两期都有 period_end）；各层的等级分布和等级有变化的节点。考核按覆盖所有各期的上下限归一，因此两期的综合得分可以比较。

      只比较两期都存在的节点。两期之间改组（经 successor 更名或合并）的节点与其承接者单独列出，不作比较（docs/compare.md）。--period 不适用。

      示例：
        chuandao compare datasets/sample --from 2024 --to 2025
        chuandao compare datasets/sample --from 2021 --to 2025 --lang en
        chuandao compare datasets/sample --from 2024 --to 2025 --format json
        chuandao compare datasets/sample --from 2024 --to 2025 --format csv
      """, """
      Runs the analyses for period P (--from) and period Q (--to) with the same settings and
      puts them side by side with the change Q - P: the transmission tau per level step and
      the end retention, overall and per top-level node; the bottom level's cold, cool, warm
      and hot counts, phi and Gini, and the nodes whose flag changed; the mean coordination
      index per level and the nodes that became or stopped being silos; the closure index
      overall and per top-level node (with problems.csv and a period_end for both periods);
      the assessment grades per level and the nodes whose grade changed. The assessment
      normalises against goalposts over all periods, so the two periods' composites compare.

      Only nodes present in both periods are compared. A node reorganised between them
      (renamed or merged through successor) is listed apart with its successor and not
      compared (docs/compare.md). --period does not apply.

      Examples:
        chuandao compare datasets/sample --from 2024 --to 2025
        chuandao compare datasets/sample --from 2021 --to 2025 --lang en
        chuandao compare datasets/sample --from 2024 --to 2025 --format json
        chuandao compare datasets/sample --from 2024 --to 2025 --format csv
      """)))

  @OptionGroup var dataset: DatasetArgument

  @Option(name: .customLong("from"), help: optionHelp("比较的起始期 P（期的标签）。", "The period P to compare from (a period label)."))
  var fromPeriod: String

  @Option(name: .customLong("to"), help: optionHelp("比较的目标期 Q（期的标签）；变化为 Q - P。", "The period Q to compare with (a period label); changes are Q - P."))
  var toPeriod: String

  @OptionGroup var options: CommonOptions

  func run() throws {
    let lang = options.lang
    if let period = options.period {
      printError(lang.pick(
        "错误：compare 不接受 --period '\(period)'；请用 --from 和 --to 给出要比较的两期",
        "error: compare takes no --period '\(period)'; give the two periods with --from and --to"))
      throw ExitCode(1)
    }
    if fromPeriod == toPeriod {
      printError(lang.pick(
        "错误：--from 和 --to 是同一期 '\(fromPeriod)'；请给出两个不同的期",
        "error: --from and --to are the same period '\(fromPeriod)'; give two different periods"))
      throw ExitCode(1)
    }
    let (settings, data, digests) = try options.load(dataset)
    let p = try resolvePeriod(fromPeriod, in: data, lang: lang)
    let q = try resolvePeriod(toPeriod, in: data, lang: lang)
    try requireFile("scores.csv", in: data, lang: lang)
    let stages = StageReporter(lang: lang)
    stages.begin("两期的各项分析", "the analyses of both periods")
    let result = CompareAnalysis(settings: settings).run(data, from: p, to: q)
    stages.end()
    for note in result.notes { printError(lang.pick("注：", "note: ") + note.text(lang)) }
    let labels = data.manifest.periods
    try publish(dataset: dataset.dataset, digests: digests, period: "\(labels[p])..\(labels[q])", options: options) {
      CommandOutput(
        json: result.json(data, provenance: $0), csvRows: result.csvRows(data), document: result.document(data, lang),
        extraTables: result.extraTables(data))
    }
  }
}
