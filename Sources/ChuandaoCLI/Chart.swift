import ArgumentParser
import Chuandao
import ChuandaoReport
import Foundation
import _ChuandaoOutput

extension ReportChartKind: ExpressibleByArgument {}

struct Chart: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: help("画出报告中的一张图（SVG）。", "Draw one of the report's charts (SVG)."),
    discussion: helpText(help("""
      与 chuandao report 画的图相同（同一段代码、同样的设置），但只运行这张图需要的分析。KIND：ladder（各层级传导率与末端保留率）、retention（各顶层单位末端保留率的逐期热力条）、funnel（一个层级的漏斗图，--level 指定，默认最底层）、coverage（领域覆盖与盲区）、icicle（组织冷热分区图）、subjects（“各扫门前雪”节点四类主体得分）、closure（三张清单闭环漏斗）、trends（得分逐期变化小多图）、ranks（年度考核排名区间）。各图的读法见 docs/report.md。SVG 写到标准输出，或用 --out 原子地写入文件。数据不足以画图时（如缺少 scores.csv）说明原因并以状态 1 退出。

      示例：
        chuandao chart funnel datasets/sample --level unit --out funnel-unit.svg
        chuandao chart ladder datasets/sample --lang en > ladder.svg
        chuandao chart ranks datasets/sample --period 2024 --out ranks.svg
      """, """
      The same chart as `chuandao report` draws (the same code, the same settings), with
      only the analyses it needs run. KIND: ladder (transmission per level step and end
      retention), retention (end retention per top-level node over the periods, a heat
      strip), funnel (the funnel plot of one level, --level, default the bottom one),
      coverage (domain coverage and blind spots), icicle (the organisation, cold to hot),
      subjects (the four subjects of the silo nodes), closure (the closure funnel of the
      three lists), trends (scores over time, small multiples), ranks (assessment rank
      bands). How to read each: docs/report.md. The SVG goes to stdout, or atomically to
      --out FILE. When the data give no such chart (no scores.csv, say) it says why and
      exits 1.

      Examples:
        chuandao chart funnel datasets/sample --level unit --out funnel-unit.svg
        chuandao chart ladder datasets/sample --lang en > ladder.svg
        chuandao chart ranks datasets/sample --period 2024 --out ranks.svg
      """)))

  @Argument(help: optionHelp("图的种类：\(ReportChartKind.allCases.map(\.rawValue).joined(separator: "、"))。", "The chart: \(ReportChartKind.allCases.map(\.rawValue).joined(separator: ", "))."))
  var kind: ReportChartKind

  @OptionGroup var dataset: DatasetArgument

  @OptionGroup var cache: CacheOptions

  @Option(help: optionHelp("funnel 的层级（层级名称；默认最底层）。", "The level of a funnel (a level name; default: the bottom level)."))
  var level: String?

  @Option(help: optionHelp("要画的期（默认最近一期）。", "Period label to draw (default: the latest period)."))
  var period: String?

  @Option(help: optionHelp("图中文字和消息的语言：zh 或 en。", "Language of the chart's text and of messages: zh or en."))
  var lang: Language = .zh

  @Option(help: optionHelp("设置文件（YAML，见 docs/methods.md 第 8 节）。", "Settings file (YAML, docs/methods.md section 8)."))
  var config: String?

  @Option(help: optionHelp("原子地写入该 SVG 文件而不是标准输出。", "Write the SVG to this file (atomically) instead of stdout."))
  var out: String?

  func validate() throws {
    if level != nil && kind != .funnel {
      throw ValidationError("--level applies to the funnel chart only")
    }
  }

  func run() throws {
    let settings = try loadSettings(config, lang: lang)
    let (data, digests) = try loadDataset(dataset, config: config, lang: lang, noCache: cache.noCache, rehash: cache.rehash)
    let t = try resolvePeriod(period, in: data, lang: lang)
    let k = try resolveLevel(level, in: data, lang: lang)
    let builder = ReportBuilder(
      dataset: data, settings: settings, period: t, lang: lang,
      provenance: storeProvenance(Provenance(digests: digests, command: commandLine, period: data.manifest.periods[t])),
      settingsLine: settingsLine(config, digest: digests.config, lang: lang))
    switch builder.chart(kind, level: k) {
    case .missing(let reason):
      printError(lang.pick("错误：没有可画的图：\(reason)", "error: no chart to draw: \(reason)"))
      throw ExitCode(1)
    case .chart(let name, let svg, let caption):
      if let capture = OutputCapture.current, out == nil {
        return capture.addChart(name: name, svg: svg, caption: caption)
      }
      let protecting = Provenance.protectedPaths(dataset: dataset.dataset, configPath: config)
      try write(Array(svg.utf8), to: out, protecting: protecting, lang: lang)
    }
  }
}
