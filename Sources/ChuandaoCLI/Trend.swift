import ArgumentParser
import Chuandao
import ChuandaoReport

struct Trend: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: help("每个节点与自身的历年比较（趋势），以及逐年的传导率。", "Each node compared with itself over time (趋势), and the transmission year by year."),
    discussion: helpText(help("""
      每个节点历年的序列（经改组延续：承接者接续其前身的数值，合并时取按党员数加权的均值）；最后一期的变化；Theil-Sen 斜率；Mann-Kendall 检验（不超过 10 个值且无并列时用精确 p）及其给出的方向；节点偏冷或偏热的各期（按其所在层级的第 3 节方法）以及是否持续；每期各层级的传导率 tau 及其区间（docs/methods.md 第 6 节）。--period 让序列截止于该期。

      节点多时，会有一些纯属偶然地上升或下降：每个方向最多约为检验的节点数乘以 alpha/2，表格在找到的个数旁给出这个数。--fdr Q 列出 Benjamini-Hochberg q 值不超过 Q 的趋势。持续冷的表格给出每个节点督查强度的走势。

      示例：
        chuandao trend datasets/sample
        chuandao trend datasets/sample --metric intensity --lang en
        chuandao trend datasets/sample --format csv --out trend.csv
        chuandao trend datasets/sample --fdr 0.10
      """, """
      For every node, its series over the periods (continued through reorganisations, a
      successor carrying its predecessors' values and a merge their members-weighted mean);
      the change in the last period; the Theil-Sen slope; the Mann-Kendall test (exact
      p for up to 10 values without ties) and the direction it gives; the periods in
      which the node was cold or hot (section 3 on its own level) and whether it is so
      persistently; and the level-step transmission tau with its interval in every
      period (docs/methods.md section 6). --period ends the series at that period.

      With many nodes, some rise or fall by chance: at most about the tested nodes times
      alpha/2 in each direction, which the table states beside the count found. --fdr Q
      lists the trends whose Benjamini-Hochberg q-value is at most Q. The persistently cold
      table shows where each node's supervision intensity is going.

      Examples:
        chuandao trend datasets/sample
        chuandao trend datasets/sample --metric intensity --lang en
        chuandao trend datasets/sample --format csv --out trend.csv
        chuandao trend datasets/sample --fdr 0.10
      """)))

  @OptionGroup var dataset: DatasetArgument
  @OptionGroup var options: CommonOptions

  @OptionGroup var metric: MetricOption
  @OptionGroup var fdr: FDROption

  func run() throws {
    let lang = options.lang
    let (settings, data, digests) = try options.load(dataset)
    let m = try metric.resolve(in: data, lang: lang)
    let t = try resolvePeriod(options.period, in: data, lang: lang)
    let stages = StageReporter(lang: lang)
    stages.begin("判定各期冷热", "flagging cold and hot nodes in every period")
    let flags = PeriodFlags.compute(data, levels: Array(0..<data.forest.levelCount), settings: settings.imbalance)
    stages.begin("各节点的序列与趋势检验", "series and trend tests per node")
    var analysis = TrendAnalysis(metric: m, settings: settings.trend)
    analysis.fdr = fdr.fdr
    let result = analysis.run(data, through: t, flags: flags)
    stages.end()
    for note in result.notes { printError(lang.pick("注：", "note: ") + note.text(lang)) }
    try publish(dataset: dataset.dataset, digests: digests, period: data.manifest.periods[t], options: options) {
      CommandOutput(json: result.json(data, provenance: $0), csvRows: result.csvRows(data), document: result.document(data, lang))
    }
  }
}
