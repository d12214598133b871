import ArgumentParser
import Chuandao
import ChuandaoReport

struct Trend: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Each node compared with itself over time (趋势), and the transmission year by year.",
    discussion: helpText("""
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
      """))

  @OptionGroup var dataset: DatasetArgument
  @OptionGroup var options: CommonOptions

  @OptionGroup var metric: MetricOption
  @OptionGroup var fdr: FDROption

  func run() throws {
    let lang = options.lang
    let (settings, data, digests) = try options.load(dataset)
    let m = try metric.resolve(in: data, lang: lang)
    let t = try resolvePeriod(options.period, in: data, lang: lang)
    let stages = StageReporter(lang: lang, dataset: data)
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
