import ArgumentParser
import Chuandao
import ChuandaoReport

struct Summary: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: help("数据集概况：层级、各层各期节点数、文件。", "Show what a dataset holds: levels, nodes per level and period, files. 数据集概况。"),
    discussion: helpText(help("""
      示例：
        chuandao summary datasets/sample
        chuandao summary datasets/sample --lang en --format json
        chuandao summary datasets/sample --format csv --out periods.csv
      """, """
      Examples:
        chuandao summary datasets/sample
        chuandao summary datasets/sample --lang en --format json
        chuandao summary datasets/sample --format csv --out periods.csv
      """)))

  @OptionGroup var dataset: DatasetArgument
  @OptionGroup var options: CommonOptions

  func run() throws {
    let (_, data, digests) = try options.load(dataset)
    if let period = options.period { _ = try resolvePeriod(period, in: data, lang: options.lang) }
    let summary = DatasetSummary(data)
    try publish(dataset: dataset.dataset, digests: digests, period: options.period, options: options, usesSettings: false) {
      CommandOutput(json: summary.json(provenance: $0), csvRows: summary.csvRows, document: summary.document(options.lang))
    }
  }
}
